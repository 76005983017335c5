// gdb's selected thread and frame applied to registers. Commands see three register sets:
//   the CPU's       what KDP_READREGS (or the core's thread) says: the stopped CPU;
//   the thread's    the selected thread's frame 0: the CPU's, or a thread chosen with `thread N` /
//                   `switchtoact`, its saved kernel registers over the CPU's (kgmacros' switchtoact);
//   the frame's     the selected frame of that thread, unwound by frame pointers as bt walks:
//                   what `regs`, `info registers`, `$pc`/`$sp`/`$fp` in expressions and `x/i $pc`
//                   read, as gdb's are the selected frame's. `bt` and `frame` list the thread's.
#pragma once

#include <cstddef>
#include <optional>

#include "cli/core/state.h"
#include "cli/kernel_hooks.h"
#include "kgm/memory.h"

namespace kdp::cli {

// The stored selection while it still holds: made at this stop (the CPU's rip and rsp are those
// it recorded); nullopt otherwise (the kernel ran since, or nothing was selected).
std::optional<Selection> current_selection(const std::optional<Selection>& stored, const wire::X86ThreadState64& cpu);

// The selected thread's frame-0 registers.
wire::X86ThreadState64 thread_registers(const std::optional<Selection>& selection, wire::X86ThreadState64 cpu);

// Frame `level` of the stack whose innermost registers are `regs`: its rip (the return address
// into it), rbp (the frame pointer it runs with) and rsp (just above the callee's frame); gdb's
// "No frame at level N." when the walk ends before it.
Expected<wire::X86ThreadState64> frame_registers(wire::X86ThreadState64 regs, size_t level, kgm::Memory& memory);

struct SelectedRegisters {
  RegisterSource cpu, thread, frame;
};
// The three sources over the CPU's (`cpu`), for the state's selection. `memory` must outlive them.
SelectedRegisters select_registers(const State& state, RegisterSource cpu, kgm::Memory& memory);

// A selection starting at this stop, for commands that make one (frame, up, down, thread).
Selection selection_at(const wire::X86ThreadState64& cpu, const std::optional<Selection>& current);

}  // namespace kdp::cli
