// The structural reader: validates a Mach-O kernel file through ByteReader before anything else
// (LIEF included) looks at it, and returns the layout kdpctl needs. Debian's LIEF 0.9 "parses"
// files with symoff past EOF, nsyms 0x7fffffff, cmdsize 0 or ncmds 0xffffffff and silently drops
// symbols, so every range below is checked here, and every failure names the file, the load
// command and the field.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::macho {

using Uuid = std::array<uint8_t, 16>;

// Upper-case and dashed, as the kernel prints it in KERNELVERSION ("; UUID=…").
std::string format_uuid(const Uuid& uuid);
// Accepts either case; exactly 8-4-4-4-12 hex digits.
std::optional<Uuid> parse_uuid(std::string_view text);

struct Section {
  std::string segment_name;
  std::string name;
  uint64_t address = 0;
  uint64_t size = 0;
  uint32_t offset = 0;  // file offset, relative to the start of the slice (as in the file)
  uint32_t flags = 0;

  bool zero_fill() const;
  bool contains(uint64_t a) const { return a - address < size; }
  uint64_t end() const { return address + size; }
};

struct Segment {
  std::string name;
  uint64_t vmaddr = 0;
  uint64_t vmsize = 0;
  uint64_t fileoff = 0;  // relative to the start of the slice
  uint64_t filesize = 0;
  uint32_t maxprot = 0;
  uint32_t initprot = 0;
  uint32_t flags = 0;
  uint32_t first_section = 0;  // index into MachOLayout::sections
  uint32_t section_count = 0;

  bool contains(uint64_t a) const { return a - vmaddr < vmsize; }
  uint64_t end() const { return vmaddr + vmsize; }
};

struct SymtabInfo {
  uint32_t symoff = 0;
  uint32_t nsyms = 0;
  uint32_t stroff = 0;
  uint32_t strsize = 0;
};

// Where the x86_64 image lives inside the file (the whole file when it is thin).
struct Slice {
  ByteView bytes;
  uint64_t offset = 0;
};

struct MachOLayout {
  Slice slice;
  uint32_t cpusubtype = 0;
  uint32_t filetype = 0;
  uint32_t flags = 0;
  uint32_t ncmds = 0;
  uint32_t sizeofcmds = 0;
  std::vector<Segment> segments;
  std::vector<Section> sections;  // in load-command order: n_sect N is sections[N-1]
  std::optional<Uuid> uuid;
  std::optional<uint64_t> entry_point;  // rip of LC_UNIXTHREAD's x86_THREAD_STATE64
  std::optional<SymtabInfo> symtab;

  const Segment* find_segment(std::string_view name) const;
};

// `file` is named by its path (ByteReader's `what`), so every error starts with it. Picks the
// x86_64 slice of a fat file; rejects files without one, naming the architectures found.
Expected<Slice> select_x86_64_slice(const ByteReader& file);

// What the file must be: a kernel (MH_EXECUTE) or a kext (MH_KEXT_BUNDLE, or MH_BUNDLE as a
// plain `ld -bundle` leaves it).
enum class ImageKind { kKernel, kKext };

// Validates the mach_header_64 and every load command of the slice (see the rules in layout.cpp).
// Does not read the nlist entries; read_symbols() does that.
Expected<MachOLayout> read_layout(const ByteReader& file, Slice slice, ImageKind kind = ImageKind::kKernel);

}  // namespace kdp::macho
