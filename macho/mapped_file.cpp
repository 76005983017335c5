#include "macho/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kdp/base/file_rules.h"

namespace kdp::macho {
namespace {

Error io_error(const std::string& path, const char* step, int err) {
  return Error(err == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo, path + ": " + step + ": " + std::strerror(err));
}

// Closes the descriptor on every path out of open().
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Expected<MappedFile> MappedFile::open(const std::string& path, std::string_view what) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it unread.
  Descriptor d{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (d.fd < 0) return io_error(path, "cannot open", errno);
  struct stat st;
  if (::fstat(d.fd, &st) != 0) return io_error(path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode))
    return Error(ErrorKind::kUsage, std::string(what) + " " + path + " is not a regular file (" +
                                        file_type_name(st.st_mode) + "); nothing read");
  MappedFile file;
  if (st.st_size == 0) return file;
  if (static_cast<uint64_t>(st.st_size) > SIZE_MAX) return io_error(path, "cannot map", EFBIG);
  void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, d.fd, 0);
  if (p == MAP_FAILED) return io_error(path, "cannot map", errno);
  file.mapping_ = p;
  file.mapped_size_ = static_cast<size_t>(st.st_size);
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapped_size_ = std::exchange(other.mapped_size_, 0);
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
  return ByteView(static_cast<const uint8_t*>(mapping_), mapped_size_);
}

}  // namespace kdp::macho
