// kdpctl regs: the stopped CPU's registers (READREGS flavor x86_THREAD_STATE64) like gdb's
// `info registers`.
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/core/registers_format.h"
#include "cli/kernel_hooks.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

Status run_regs(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(StoppedCpu cpu, open_session_with_registers(inv, state));
  const wire::X86ThreadState64& regs = cpu.registers;
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object();
    for (size_t i = 0; i < wire::X86ThreadState64::kCount; ++i)
      j.hex_field(wire::X86ThreadState64::kNames[i], regs.regs[i]);
    inv.out << j.end_object().str() << "\n";
    return {};
  }
  KDP_TRY(auto hooks, load_kernel_hooks(inv, state, cpu.session.get()));
  for (const std::string& line : format_registers(regs, hooks->symbols())) inv.out << line << "\n";
  return {};
}

const CommandSpec kRegs{
    .name = "regs",
    .usage = "regs",
    .summary = "the stopped CPU's registers, as gdb's `info registers` shows them",
    .run = run_regs,
};

}  // namespace

const CommandSpec& regs_command() { return kRegs; }
}  // namespace kdp::cli
