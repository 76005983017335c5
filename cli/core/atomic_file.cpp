#include "cli/core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace kdp::cli {
namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error(ErrorKind::kIo, what + " " + path + ": " + std::strerror(err));
}

// Closes the descriptor on every path out of a function.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

Status write_all(int fd, ByteView bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write", path, errno);
    done += static_cast<size_t>(n);
  }
  return {};
}

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A name no other writer (thread or process) uses at the same time.
std::string temporary_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

// `existing_mode`: the permission bits of the file being replaced, or -1 for a new file.
Status replace_atomically(const std::string& path, ByteView bytes, unsigned mode, int existing_mode) {
  const std::string temp = temporary_name(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, static_cast<mode_t>(mode));
  if (fd < 0) return io_error("cannot create a temporary file in", directory_of(path), errno);
  Status written = write_all(fd, bytes, temp);
  if (written && existing_mode >= 0 && ::fchmod(fd, static_cast<mode_t>(existing_mode)) != 0)
    written = io_error("cannot set the permissions of", temp, errno);
  if (written && ::fsync(fd) != 0) written = io_error("cannot flush", temp, errno);
  if (::close(fd) != 0 && written) written = io_error("cannot close", temp, errno);
  if (written && ::rename(temp.c_str(), path.c_str()) != 0) written = io_error("cannot replace", path, errno);
  if (!written) ::unlink(temp.c_str());
  return written;
}

// Devices and FIFOs are written where they are: no O_CREAT, no O_TRUNC, no rename.
Status write_in_place(const std::string& path, ByteView bytes) {
  Descriptor d{::open(path.c_str(), O_WRONLY | O_NOCTTY)};
  if (d.fd < 0) return io_error("cannot open", path, errno);
  struct stat st;
  if (::fstat(d.fd, &st) != 0) return io_error("cannot stat", path, errno);
  if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
    return usage_error(path + " changed while it was being opened; nothing written");
  KDP_TRY_STATUS(write_all(d.fd, bytes, path));
  const int fd = d.fd;
  d.fd = -1;
  if (::close(fd) != 0) return io_error("cannot close", path, errno);
  return {};
}

}  // namespace

Status write_file(const std::string& path, ByteView bytes, unsigned mode) {
  // First: every symlink on the way must be one we may follow, whatever it leads to.
  KDP_TRY(std::string real, resolve_symlinks(path));
  struct stat st;  // stat follows links, including /proc's /dev/stdout -> "pipe:[...]"
  if (::stat(path.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
    return write_in_place(path, bytes);
  if (::lstat(real.c_str(), &st) != 0) {
    if (errno != ENOENT) return io_error("cannot stat", real, errno);
    return replace_atomically(real, bytes, mode, -1);
  }
  KDP_TRY_STATUS(check_ours_to_replace(real, st));
  if (S_ISREG(st.st_mode)) return replace_atomically(real, bytes, mode, static_cast<int>(st.st_mode & 07777));
  return usage_error(path + " is " + file_type_name(st.st_mode) +
                     ", not a regular file, character device or FIFO; nothing written");
}

bool is_stream_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
}

Expected<std::string> read_regular_file(const std::string& path, size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat refuses it before any read.
  Descriptor d{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY)};
  if (d.fd < 0) {
    if (errno == ENOENT) return Error(ErrorKind::kNotFound, "no such file: " + path);
    return io_error("cannot open", path, errno);
  }
  struct stat st;
  if (::fstat(d.fd, &st) != 0) return io_error("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return usage_error(path + " is " + file_type_name(st.st_mode) + ", not a regular file");
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(d.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read", path, errno);
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes)
      return usage_error(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
}

}  // namespace kdp::cli
