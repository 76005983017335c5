#include "kgm/bounded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kdp::kgm {
namespace {

Error io_error(const std::string& path, std::string_view what, const char* step, int err) {
  return Error(err == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo,
               std::string(what) + " " + path + ": " + step + ": " + std::strerror(err));
}

struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Expected<Bytes> read_regular_file(const std::string& path, std::string_view what, uint64_t max_size) {
  // O_NONBLOCK: a FIFO named as the file must not block the open; regular files ignore it.
  Descriptor d{::open(path.c_str(), O_RDONLY | O_NONBLOCK)};
  if (d.fd < 0) return io_error(path, what, "cannot open", errno);
  struct stat st;
  if (::fstat(d.fd, &st) != 0) return io_error(path, what, "cannot stat", errno);
  if (!S_ISREG(st.st_mode))
    return usage_error(std::string(what) + " " + path + " is not a regular file");
  const auto expected = static_cast<uint64_t>(st.st_size);
  if (expected > SIZE_MAX || expected > max_size)
    return usage_error(std::string(what) + " " + path + " is too large (" + std::to_string(expected) +
                       " bytes; at most " + std::to_string(max_size) + ")");
  Bytes bytes(static_cast<size_t>(expected));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pread(d.fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(path, what, "cannot read", errno);
    if (n == 0)
      return Error(ErrorKind::kIo, std::string(what) + " " + path + ": shrank while being read (" +
                                       std::to_string(done) + " of " + std::to_string(expected) + " bytes)");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace kdp::kgm
