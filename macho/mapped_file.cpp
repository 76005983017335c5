#include "macho/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace kdp::macho {
namespace {

Error io_error(const std::string& path, const char* step, int err) {
  return Error(ErrorKind::kIo, path + ": " + step + ": " + std::strerror(err));
}

// A pipe or device has no size to map: read it, but never without bound (/dev/zero).
constexpr size_t kMaxStreamBytes = size_t{256} << 20;

Expected<Bytes> read_all(int fd, const std::string& path) {
  Bytes out;
  uint8_t buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) return out;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(path, "cannot read", errno);
    out.insert(out.end(), buffer, buffer + n);
    if (out.size() > kMaxStreamBytes)
      return Error(ErrorKind::kUsage, path + ": not a regular file, and more than 256 MiB long; not read further");
  }
}

// Closes the descriptor on every path out of open().
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Expected<MappedFile> MappedFile::open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is cleared again before reading).
  Descriptor d{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY)};
  if (d.fd < 0) return io_error(path, "cannot open", errno);
  struct stat st;
  if (::fstat(d.fd, &st) != 0) return io_error(path, "cannot stat", errno);
  MappedFile file;
  if (S_ISDIR(st.st_mode)) return io_error(path, "cannot read", EISDIR);
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, d.fd, 0);
    if (p != MAP_FAILED) {
      file.mapping_ = p;
      file.mapped_size_ = static_cast<size_t>(st.st_size);
      return file;
    }
  }
  const int flags = ::fcntl(d.fd, F_GETFL);
  if (flags < 0 || ::fcntl(d.fd, F_SETFL, flags & ~O_NONBLOCK) != 0) return io_error(path, "cannot read", errno);
  KDP_TRY(file.read_, read_all(d.fd, path));
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapped_size_ = std::exchange(other.mapped_size_, 0);
    read_ = std::move(other.read_);
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapped_size_);
  mapping_ = nullptr;
  mapped_size_ = 0;
}

ByteView MappedFile::bytes() const {
  if (mapping_ != nullptr) return ByteView(static_cast<const uint8_t*>(mapping_), mapped_size_);
  return read_;
}

}  // namespace kdp::macho
