// A read-only view of a whole file. Regular files are mapped (POSIX mmap), so loading a kernel
// touches only the pages it reads: the header, the load commands, the symbol and string tables and
// the `version` string, not the megabytes of __TEXT. Other files (pipes) are read into memory.
#pragma once

#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::macho {

class MappedFile {
 public:
  static Expected<MappedFile> open(const std::string& path);

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
  Bytes read_;  // used when the file cannot be mapped
};

}  // namespace kdp::macho
