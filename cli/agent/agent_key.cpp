#include "cli/agent/agent_key.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "kdp/net/udp.h"
#include "kdp/wire/packet.h"

namespace kdp::cli::agent {

std::string agent_key(const std::string& target) {
  auto endpoint = net::resolve(target, wire::kKdpPort);
  return endpoint ? to_string(*endpoint) : target;
}

Expected<StartLock> StartLock::acquire(const std::string& socket_path, std::chrono::milliseconds wait) {
  const std::string path = socket_path + ".lock";
  // O_NOFOLLOW: a symlink planted there is refused; the runtime directory is private anyway.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Error(ErrorKind::kIo, "cannot open the agent lock " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    ::close(fd);
    return Error(ErrorKind::kUsage, "the agent lock " + path + " is not a regular file of ours");
  }
  const auto give_up = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if ((errno != EWOULDBLOCK && errno != EINTR) || std::chrono::steady_clock::now() > give_up) {
      ::close(fd);
      return Error(ErrorKind::kTimeout, "another agent is starting for the same target (lock " + path + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return StartLock(fd);
}

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

bool remove_stale_start_lock(const std::string& socket_path) {
  const std::string path = socket_path + ".lock";
  if (exists(socket_path)) return false;
  const int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  const bool removed = ::flock(fd, LOCK_EX | LOCK_NB) == 0 && !exists(socket_path) && ::unlink(path.c_str()) == 0;
  ::close(fd);
  return removed;
}

StartLock::~StartLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace kdp::cli::agent
