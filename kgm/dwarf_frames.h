// Backtrace frames at source level from the kernel's dSYM, as gdb prints them with debug info:
// the function, its arguments read from the frame (DW_OP_fbreg over an rbp or CFA frame base,
// DW_OP_breg6) through kgm::Memory, and the file and line of the pc. An argument whose location
// cannot be evaluated here (registers other than rbp, location lists) is `<optimized out>`.
#pragma once

#include <cstdint>
#include <optional>

#include "kgm/backtrace.h"
#include "kgm/dwarf_info.h"
#include "kgm/memory.h"

namespace kdp::kgm {

// `pc` and `rbp` are the running kernel's (slid by `slide`); `caller` frames look their line up
// at pc-1 (the call instruction), as gdb does. The innermost frame passes `rsp` too: stopped on
// the function's first instruction (a breakpoint on its symbol) or after `push rbp`, the frame's
// rbp is not set up yet, and the arguments are found from rsp instead. nullopt when the dSYM has
// no function there.
std::optional<SourceFrame> source_frame(const DwarfInfo& dwarf, uint64_t pc, uint64_t rbp, bool caller,
                                        Memory& memory, uint64_t slide, std::optional<uint64_t> rsp = std::nullopt);

// Fills Frame::source for every frame the dSYM describes; `rsp` is the innermost frame's.
void add_source_frames(Backtrace& bt, const DwarfInfo& dwarf, Memory& memory, uint64_t slide,
                       std::optional<uint64_t> rsp = std::nullopt);

}  // namespace kdp::kgm
