// LIEF's part in loading a kernel: an independent second reading of the segment/section table.
#pragma once

#include <string>

#include "kdp/base/error.h"
#include "macho/layout.h"

namespace kdp::macho {

// Parses the (already validated) x86_64 slice with LIEF 0.9 in its fast mode and checks that LIEF
// sees the same segments and sections (names, addresses, sizes, file ranges) as our reader.
// Disagreement means one of the two misreads the file; it is reported, never guessed around.
Status cross_check_with_lief(const MachOLayout& layout, const std::string& name);

}  // namespace kdp::macho
