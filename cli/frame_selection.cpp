#include "cli/frame_selection.h"

#include "kgm/backtrace.h"

namespace kdp::cli {
namespace {

// struct x86_kernel_state's registers (SelectedThread::saved order) in the KDP register set.
constexpr size_t kSavedRegisterIndex[] = {1 /*rbx*/, 7 /*rsp*/, 6 /*rbp*/, 12, 13, 14, 15, 16 /*rip*/};

}  // namespace

std::optional<Selection> current_selection(const std::optional<Selection>& stored, const wire::X86ThreadState64& cpu) {
  if (!stored || stored->stop_rip != cpu.rip() || stored->stop_rsp != cpu.rsp()) return std::nullopt;
  return stored;
}

wire::X86ThreadState64 thread_registers(const std::optional<Selection>& selection, wire::X86ThreadState64 cpu) {
  if (!selection || !selection->thread) return cpu;
  for (size_t i = 0; i < std::size(kSavedRegisterIndex); ++i) cpu.regs[kSavedRegisterIndex[i]] = selection->thread->saved[i];
  return cpu;
}

Expected<wire::X86ThreadState64> frame_registers(wire::X86ThreadState64 regs, size_t level, kgm::Memory& memory) {
  if (level == 0) return regs;
  kgm::Backtrace bt = kgm::walk_frames(regs.rip(), regs.rbp(), memory, nullptr, level + 1);
  if (bt.frames.size() <= level) {
    if (bt.error) return std::move(*bt.error);
    return usage_error("No frame at level " + std::to_string(level) + ".");
  }
  regs.rip() = bt.frames[level].pc;
  regs.rbp() = bt.frames[level].frame_pointer;
  regs.rsp() = bt.frames[level - 1].frame_pointer + 16;  // past the callee's saved rbp and return address
  return regs;
}

SelectedRegisters select_registers(const State& state, RegisterSource cpu, kgm::Memory& memory) {
  const std::optional<Selection> stored = state.selection;
  RegisterSource thread = [cpu, stored]() -> Expected<wire::X86ThreadState64> {
    KDP_TRY(wire::X86ThreadState64 regs, cpu());
    return thread_registers(current_selection(stored, regs), regs);
  };
  RegisterSource frame = [cpu, stored, &memory]() -> Expected<wire::X86ThreadState64> {
    KDP_TRY(wire::X86ThreadState64 regs, cpu());
    const std::optional<Selection> selection = current_selection(stored, regs);
    return frame_registers(thread_registers(selection, regs), selection ? selection->frame : 0, memory);
  };
  return {std::move(cpu), std::move(thread), std::move(frame)};
}

Selection selection_at(const wire::X86ThreadState64& cpu, const std::optional<Selection>& current) {
  Selection s = current.value_or(Selection{});
  s.stop_rip = cpu.rip();
  s.stop_rsp = cpu.rsp();
  return s;
}

}  // namespace kdp::cli
