// The kernel file as memory (`kdpctl --kernel K` with no target), as `gdb mach_kernel` reads it
// before attaching: inside the file's segments the bytes come from the file at their unslid
// addresses (zero fill past each segment's filesize); anything else cannot be read because no
// target is attached, and the error says so and names the address.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "kgm/segment_map.h"
#include "macho/mapped_file.h"

namespace kdp::kgm {

class FileMemory final : public SegmentMemory {
 public:
  // Maps the file (a regular file only); picks the x86_64 slice of a fat file.
  static Expected<std::unique_ptr<FileMemory>> open(const std::string& path);
  // The same over a file already in memory; `name` names it in messages.
  static Expected<std::unique_ptr<FileMemory>> from_bytes(Bytes file, std::string name);

  std::string source() const override { return "kernel file " + name_ + " (no target attached)"; }

 private:
  FileMemory(Bytes file, std::string name) : owned_(std::move(file)), name_(std::move(name)) {}
  FileMemory(macho::MappedFile file, std::string name) : mapped_(std::move(file)), name_(std::move(name)) {}
  ByteView file() const;
  Status map_segments();
  std::string unmapped_note() const override {
    return " (no target is attached, and the kernel file " + name_ + " does not map it)";
  }

  // The segments' bytes, viewed by the map: the mapped file, or bytes given to from_bytes.
  std::optional<macho::MappedFile> mapped_;
  Bytes owned_;
  std::string name_;
};

}  // namespace kdp::kgm
