// Loading pipeline: map the file -> pick the x86_64 slice -> validate every load command ourselves
// (layout.cpp) -> let LIEF (fast mode) read the same load commands and compare segment/section
// tables -> read the nlist/string tables ourselves -> build the indexes -> read `version`.
//
// Why LIEF only for the cross-check: Debian's LIEF 0.9 accepts malformed files silently, so every
// range has to be validated here anyway, which already yields segments, sections, UUID and entry
// point; its entry point is wrong for kernel files; and over the whole file its fast mode alone
// costs more than our entire load (bench/macho_bench, 10.7.3-sized kernel, fresh process: LIEF
// 50-280 ms with the machine's load; kdpctl's whole load 10-35 ms, LIEF's share ~0.5 ms).
// What LIEF still earns its place for is a second, independent reading of the load commands: if
// the two readers disagree, one of them is wrong and the load fails.
#include "macho/kernel_image.h"

#include "macho/lief_check.h"
#include "macho/mapped_file.h"
#include "macho/symbols.h"

namespace kdp::macho {
namespace {

// The string at `_version`, read from the file bytes of the section that holds it.
Expected<std::string> read_version(const ByteReader& file, const MachOLayout& layout,
                                   const SymbolIndex& index) {
  const Symbol* sym = index.find("_version");
  if (sym == nullptr || sym->kind() != kNSect) return std::string();
  const Section& s = layout.sections[sym->section - 1];
  std::string where = std::string(file.what()) + ": _version at " + hex(sym->address);
  if (!s.contains(sym->address) || s.zero_fill())
    return malformed(where + " has no file bytes in " + s.segment_name + "," + s.name);
  ByteReader slice(layout.slice.bytes, file.what(), layout.slice.offset);
  KDP_TRY(ByteReader bytes, slice.sub(s.offset, s.size, s.segment_name + "," + s.name));
  KDP_TRY_STATUS(bytes.seek(sym->address - s.address, "_version"));
  auto text = bytes.c_string("_version");
  if (!text)
    return malformed(where + ": string is not NUL-terminated inside " + s.segment_name + "," + s.name);
  return std::move(*text);
}

}  // namespace

std::optional<uint64_t> KernelImage::entry_point() const {
  if (!file_entry_point_) return std::nullopt;
  return *file_entry_point_ + slide();
}

const Segment* KernelImage::segment(std::string_view name) const {
  for (const Segment& s : segments_)
    if (s.name == name) return &s;
  return nullptr;
}

const Section* KernelImage::section(std::string_view segment_name, std::string_view section_name) const {
  for (const Section& s : sections_)
    if (s.segment_name == segment_name && s.name == section_name) return &s;
  return nullptr;
}

const Section* KernelImage::section_containing(uint64_t address) const {
  for (const Section& s : sections_)
    if (s.contains(address)) return &s;
  return nullptr;
}

void KernelImage::set_slide(uint64_t slide) {
  uint64_t delta = slide - index_.slide();
  for (Segment& s : segments_) s.vmaddr += delta;
  for (Section& s : sections_) s.address += delta;
  index_.set_slide(slide);
}

Expected<KernelImage> load_kernel_image_from_bytes(ByteView bytes, const std::string& name, ImageKind kind) {
  ByteReader file(bytes, name);
  KDP_TRY(Slice slice, select_x86_64_slice(file));
  KDP_TRY(MachOLayout layout, read_layout(file, slice, kind));
  KDP_TRY_STATUS(cross_check_with_lief(layout, name));
  KDP_TRY(SymbolTable table, read_symbols(file, layout));
  KernelImage image;
  image.path_ = name;
  image.uuid_ = layout.uuid;
  image.file_entry_point_ = layout.entry_point;
  if (const Segment* text = layout.find_segment("__TEXT")) image.file_text_vmaddr_ = text->vmaddr;
  image.index_ = SymbolIndex(std::move(table), layout.segments, layout.sections);
  KDP_TRY(image.version_, read_version(file, layout, image.index_));
  image.segments_ = std::move(layout.segments);
  image.sections_ = std::move(layout.sections);
  return image;
}

Expected<KernelImage> load_kernel_image(const std::string& path, ImageKind kind) {
  KDP_TRY(MappedFile file, MappedFile::open(path, kind == ImageKind::kKext ? "kext file" : "kernel file"));
  return load_kernel_image_from_bytes(file.bytes(), path, kind);
}

}  // namespace kdp::macho
