#include "cli/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kdp::cli {
namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error(ErrorKind::kIo, what + " " + path + ": " + std::strerror(err));
}

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

}  // namespace

Status write_file_atomically(const std::string& path, ByteView bytes, unsigned mode) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, static_cast<mode_t>(mode));
  if (fd < 0) return io_error("cannot create", temp, errno);
  Status written = write_all(fd, bytes, temp);
  if (written && ::fsync(fd) != 0) written = io_error("cannot flush", temp, errno);
  if (::close(fd) != 0 && written) written = io_error("cannot close", temp, errno);
  if (written && ::rename(temp.c_str(), path.c_str()) != 0) written = io_error("cannot replace", path, errno);
  if (!written) ::unlink(temp.c_str());
  return written;
}

Expected<std::string> read_text_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    if (errno == ENOENT) return Error(ErrorKind::kNotFound, "no such file: " + path);
    return io_error("cannot open", path, errno);
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return io_error("cannot read", path, err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace kdp::cli
