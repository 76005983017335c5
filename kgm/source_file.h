// Source files for `list`: found the way gdb's `dir` search finds them, read with a size bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/error.h"
#include "kgm/dwarf_info.h"

namespace kdp::kgm {

inline constexpr uint64_t kMaxSourceFileBytes = uint64_t{16} << 20;

// The first regular file among: each DIR/FILE (the name as the line table records it), each
// DIR/<basename of FILE>, then the path the build machine had (full_path).
std::optional<std::string> find_source(const SourceLine& source, const std::vector<std::string>& dirs);

// The file's lines without their newlines; a regular file of at most kMaxSourceFileBytes.
Expected<std::vector<std::string>> read_source_lines(const std::string& path);

// gdb's window for `list LINE`: ten lines with LINE sixth (first = LINE - 5, at least 1).
struct ListWindow {
  uint32_t first = 1;
  uint32_t last = 10;
};
ListWindow list_window(uint32_t line);

}  // namespace kdp::kgm
