// gdb's char and string spelling lives in kgm/gdb_text.h (kgm's print shares it); the CLI's
// x/s and x/c use it under their old names.
#pragma once

#include "kgm/gdb_text.h"

namespace kdp::cli {

using kgm::gdb_char_literal;
using kgm::gdb_escape_char;
using kgm::gdb_string_literal;
using kgm::kGdbPrintMax;
using kgm::kGdbRepeatThreshold;

}  // namespace kdp::cli
