// A read-only view of a whole regular file, mapped (POSIX mmap): loading a kernel or a core touches
// only the pages it reads (the header first, so a 4 GiB file of zeros fails in a page fault, not
// after reading 4 GiB), not the megabytes of __TEXT. Anything else (a FIFO whose writer never
// writes, /dev/zero) is refused before a byte is read: it has no size to bound the read by.
#pragma once

#include <string>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::macho {

class MappedFile {
 public:
  // `what` names the file's role in the error for a file that is not regular ("kernel file").
  static Expected<MappedFile> open(const std::string& path, std::string_view what = "file");

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  ByteView bytes() const;

 private:
  MappedFile() = default;
  void release();

  void* mapping_ = nullptr;
  size_t mapped_size_ = 0;
};

}  // namespace kdp::macho
