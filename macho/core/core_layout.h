// Internal to kdp_core_file: struct sizes of the Mach-O pieces a core file uses, and the overlap
// rule shared by the writer and the reader.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "macho/core/core_file.h"

namespace kdp::macho::detail {

inline constexpr uint64_t kHeaderSize = 32;              // mach_header_64
inline constexpr uint32_t kSegmentCommandSize = 72;      // segment_command_64
inline constexpr uint32_t kSectionSize = 80;             // section_64
inline constexpr size_t kSegNameSize = 16;
inline constexpr uint32_t kThreadStateHeaderSize = 8;    // flavor + count
inline constexpr uint32_t kThreadCommandSize = 8 + kThreadStateHeaderSize + 168;
inline constexpr uint64_t kFilePageSize = 4096;

// Fails if two segments with a non-zero vmsize share an address. `name` prefixes the error.
Status check_no_vm_overlap(const std::vector<CoreSegment>& segments, std::string_view name);

}  // namespace kdp::macho::detail
