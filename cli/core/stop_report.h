// How a stop is told to the user, in gdb's words: "Breakpoint 1, 0xffffff8000201234 in ?? ()" for
// a breakpoint hit, "0xffffff8000201235 in ?? ()" after a step.
#pragma once

#include <cstdint>
#include <string>

#include "cli/core/symbols.h"

namespace kdp::cli {

// gdb's print_frame without debug info: the pc padded to 16 hex digits, then "in <function> ()".
std::string gdb_frame_line(uint64_t pc, const SymbolLookup& symbols);

// "Breakpoint 1, " + gdb_frame_line.
std::string gdb_breakpoint_line(int number, uint64_t pc, const SymbolLookup& symbols, bool temporary = false);

// "x86_64" for 0x01000007 and the other CPU_TYPE_* values a KDP target may report.
std::string cpu_type_name(uint32_t cpu_type);

}  // namespace kdp::cli
