#include "cli/agent/unix_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "kdp/base/file_rules.h"

namespace kdp::cli::agent {
namespace {

Error os_error(const std::string& what) { return Error(ErrorKind::kIo, what + ": " + std::strerror(errno)); }

Status make_private_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return os_error("agent directory " + path);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return os_error("agent directory " + path);
  if (!S_ISDIR(st.st_mode)) return Error(ErrorKind::kIo, "agent directory " + path + " is not a directory");
  if (st.st_uid != ::geteuid()) return Error(ErrorKind::kIo, "agent directory " + path + " belongs to another user");
  if ((st.st_mode & 077) != 0)
    return Error(ErrorKind::kIo, "agent directory " + path + " is open to other users (mode must be 0700)");
  return {};
}

Expected<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return Error(ErrorKind::kUsage, "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

void set_cloexec(int fd) { ::fcntl(fd, F_SETFD, FD_CLOEXEC); }

#ifdef SO_NOSIGPIPE
void no_sigpipe(int fd) {
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
}
#else
void no_sigpipe(int) {}
#endif

Expected<Fd> new_socket() {
  Fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
  if (!fd.valid()) return os_error("socket");
  set_cloexec(fd.get());
  no_sigpipe(fd.get());
  return fd;
}

}  // namespace

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Expected<std::string> runtime_dir() {
  if (const char* dir = std::getenv("KDPCTL_RUNTIME_DIR"); dir && *dir) {
    KDP_TRY_STATUS(make_private_dir(dir));
    return std::string(dir);
  }
  std::string path;
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
    path = std::string(xdg) + "/kdpctl";
  else
    path = "/tmp/kdpctl-" + std::to_string(::geteuid());
  KDP_TRY_STATUS(make_private_dir(path));
  return path;
}

std::string socket_path(const std::string& dir, const std::string& target) {
  std::string name;
  for (char c : target) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    name += safe ? std::string(1, c) : c == ':' ? std::string("_") : "%" + std::to_string(uint8_t(c));
  }
  // sun_path holds 104 bytes on macOS: keep dir + name well inside it.
  if (name.size() > 48 || dir.size() + name.size() > 90) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (char c : target) h = (h ^ uint8_t(c)) * 1099511628211ULL;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    name = hex;
  }
  return dir + "/" + name + ".sock";
}

Expected<uid_t> peer_uid(int fd) {
#if defined(SO_PEERCRED) && defined(__linux__)
  struct ucred cred {};
  socklen_t size = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0) return os_error("SO_PEERCRED");
  return cred.uid;
#else
  uid_t uid = 0;
  gid_t gid = 0;
  if (::getpeereid(fd, &uid, &gid) != 0) return os_error("getpeereid");
  return uid;
#endif
}

Status check_peer(int fd, uid_t expected) {
  KDP_TRY(uid_t uid, peer_uid(fd));
  if (uid == expected) return {};
  return usage_error("agent socket peer runs as uid " + std::to_string(uid) + ", not " + std::to_string(expected));
}

Expected<Fd> listen_unix(const std::string& path) {
  KDP_TRY(sockaddr_un addr, address_of(path));
  KDP_TRY(Fd fd, new_socket());
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    // Never unlink what is not a socket we own (rule: no clobbering of foreign files).
    if (!S_ISSOCK(st.st_mode) || st.st_uid != ::geteuid())
      return Error(ErrorKind::kIo, path + " exists and is not our socket");
    ::unlink(path.c_str());
  }
  const mode_t old_mask = ::umask(077);
  const int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old_mask);
  if (bound != 0) return os_error("bind " + path);
  ::chmod(path.c_str(), 0600);
  if (::listen(fd.get(), SOMAXCONN) != 0) return os_error("listen " + path);
  return fd;
}

std::optional<std::string> unusable_socket_path(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un{}.sun_path))
    return "its socket path " + path + " is " + std::to_string(path.size()) + " bytes, more than a Unix socket address holds (" +
           std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + "); a shorter XDG_RUNTIME_DIR or KDPCTL_RUNTIME_DIR lets it run";
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
    return path + " is " + std::string(file_type_name(st.st_mode)) + ", not the agent's socket (kdpctl leaves it alone)";
  return std::nullopt;
}

Expected<Fd> connect_unix(const std::string& path, std::chrono::milliseconds timeout) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Error(ErrorKind::kNotFound, "no agent socket " + path);
  if (!S_ISSOCK(st.st_mode)) return Error(ErrorKind::kIo, path + " is not a socket");
  KDP_TRY(sockaddr_un addr, address_of(path));
  KDP_TRY(Fd fd, new_socket());
  const int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
  // A full backlog (Linux: EAGAIN at once) is no answer yet: the socket is not connected, so try
  // again until the listener takes us or `timeout` passes.
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  int rc = 0;
  while ((rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr)) != 0 && errno == EAGAIN) {
    if (std::chrono::steady_clock::now() >= give_up) return Error(ErrorKind::kTimeout, "connect " + path + ": no answer");
    ::poll(nullptr, 0, 10);
  }
  if (rc != 0) {
    if (errno == ECONNREFUSED || errno == ENOENT) return Error(ErrorKind::kIo, "refused");
    if (errno != EINPROGRESS) return os_error("connect " + path);
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1)
      return Error(ErrorKind::kTimeout, "connect " + path + ": no answer");
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) return Error(ErrorKind::kIo, "refused");
  }
  ::fcntl(fd.get(), F_SETFL, flags);
  return fd;
}

Expected<Fd> accept_unix(int listener) {
  Fd fd(::accept(listener, nullptr, nullptr));
  if (!fd.valid()) return os_error("accept");
  set_cloexec(fd.get());
  no_sigpipe(fd.get());
  return fd;
}

Status write_all(int fd, ByteView bytes) {
#ifdef MSG_NOSIGNAL
  constexpr int kFlags = MSG_NOSIGNAL;
#else
  constexpr int kFlags = 0;  // SO_NOSIGPIPE is set on the socket instead
#endif
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, kFlags);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return os_error("agent socket write");
    done += static_cast<size_t>(n);
  }
  return {};
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
  return n == 1;
}

Expected<Bytes> read_some(int fd) {
  Bytes buffer(65536);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("agent socket read");
    buffer.resize(static_cast<size_t>(n));
    return buffer;
  }
}

}  // namespace kdp::cli::agent
