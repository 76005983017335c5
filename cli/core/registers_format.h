// `kdpctl regs`: the x86_64 thread state as gdb's `info registers` prints it (infcmd.c
// default_print_one_register_info): name padded to column 15, raw hex padded to column 35, then
// the natural value (signed decimal for integers, hex for rbp/rsp, <symbol> for rip, the flag
// names for eflags).
#pragma once

#include <string>
#include <vector>

#include "kdp/wire/x86_state.h"
#include "cli/core/symbols.h"

namespace kdp::cli {

// gdb's amd64 display order over the 21 registers KDP carries (no ss/ds/es, no fs_base/gs_base);
// rflags is shown under gdb's name "eflags".
std::vector<std::string> format_registers(const wire::X86ThreadState64& state, const SymbolLookup& symbols);

// "[ PF ZF IF ]": the i386_eflags flag names gdb knows, in bit order.
std::string gdb_eflags(uint64_t rflags);

}  // namespace kdp::cli
