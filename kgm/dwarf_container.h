// The Mach-O container of a dSYM (Contents/Resources/DWARF/<name>, filetype MH_DSYM), read with
// our own bounds-checked reader before LLVM sees a byte: the header, every load command, LC_UUID
// and the sections of the __DWARF segment, each checked to lie inside the file. LLVM's DWARF
// parser then only gets section bytes we have bounded, never the container.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "macho/layout.h"

namespace kdp::kgm {

inline constexpr uint64_t kDsymMaxFileBytes = uint64_t{4} << 30;  // a KDK dSYM is ~1 GB at most
inline constexpr uint32_t kDsymMaxSections = 1024;

struct DsymContainer {
  std::optional<macho::Uuid> uuid;
  // "debug_info", "debug_line", "apple_types", ... (the Mach-O "__" dropped, as LLVM names them)
  // -> the section's bytes inside the file.
  std::map<std::string, ByteView, std::less<>> sections;
};

// Whether an .apple_names/.apple_types section's header and tables fit in it (magic "HASH",
// version 1, at least one bucket). LLVM 14's AppleAcceleratorTable divides by the bucket count
// and trusts the header, so a section that fails this is not handed to it (the name lookups
// fall back to scanning the units).
bool apple_table_usable(ByteView section);

// The same for DWARF 5 .debug_names (every name index in it): 32-bit units of version 5 whose
// tables fit, whose name strings lie inside `debug_str`, whose entry offsets lie inside the entry
// pool, and whose abbreviations use only fixed-size forms. LLVM 14 calls strlen on a string
// offset past .debug_str.
bool debug_names_usable(ByteView section, ByteView debug_str);

// `file`'s what() names the file in errors. Accepts MH_DSYM (and MH_EXECUTE, a kernel that
// carries its DWARF itself); thin or fat (the x86_64 slice).
Expected<DsymContainer> read_dsym_container(const ByteReader& file);

}  // namespace kdp::kgm
