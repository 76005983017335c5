// A kernel file (the KDK's mach_kernel, thin or fat) loaded for debugging: validated layout, UUID,
// entry point, `version` string and the symbol index. Addresses it hands out are slid: after
// set_slide(s), segments, sections, the entry point and every symbol are at file address + s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "macho/layout.h"
#include "macho/symbol_index.h"

namespace kdp::macho {

class KernelImage {
 public:
  const std::string& path() const { return path_; }
  const std::optional<Uuid>& uuid() const { return uuid_; }
  std::optional<uint64_t> entry_point() const;
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<Section>& sections() const { return sections_; }
  // The bytes at `_version` in the file ("Darwin Kernel Version 11.3.0: …"); empty when the file
  // has no `_version` symbol.
  const std::string& version_string() const { return version_; }
  const SymbolIndex& symbols() const { return index_; }

  const Segment* segment(std::string_view name) const;
  const Section* section(std::string_view segment_name, std::string_view section_name) const;
  const Section* section_containing(uint64_t address) const;

  uint64_t slide() const { return index_.slide(); }
  void set_slide(uint64_t slide);
  // The unslid __TEXT vmaddr (0xffffff8000200000 for x86_64 kernels); slide = stext - this.
  std::optional<uint64_t> file_text_vmaddr() const { return file_text_vmaddr_; }

 private:
  friend Expected<KernelImage> load_kernel_image_from_bytes(ByteView, const std::string&, ImageKind);

  std::string path_;
  std::optional<Uuid> uuid_;
  std::optional<uint64_t> file_entry_point_;
  std::optional<uint64_t> file_text_vmaddr_;
  std::vector<Segment> segments_;
  std::vector<Section> sections_;
  std::string version_;
  SymbolIndex index_;
};

// Reads and validates the file; errors name the path and the problem. A kext's executable loads
// the same way (ImageKind::kKext): its segments, UUID and symbols, slid to where it is loaded.
Expected<KernelImage> load_kernel_image(const std::string& path, ImageKind kind = ImageKind::kKernel);
// The same over bytes already in memory; `name` stands in for the path in errors.
Expected<KernelImage> load_kernel_image_from_bytes(ByteView bytes, const std::string& name,
                                                   ImageKind kind = ImageKind::kKernel);

}  // namespace kdp::macho
