// kdpctl regs: the stopped CPU's registers (READREGS flavor x86_THREAD_STATE64, or a core's
// first thread with --core) like gdb's `info registers`.
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/core/registers_format.h"
#include "cli/target_memory.h"

namespace kdp::cli {
namespace {

Status run_regs(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  wire::X86ThreadState64 regs;
  std::vector<std::string> lines;
  const TargetWork work = [&](TargetView& target) -> Status {
    KDP_TRY(regs, target.registers());
    if (!inv.global.json) lines = format_registers(regs, target.hooks.symbols());
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object();
    for (size_t i = 0; i < wire::X86ThreadState64::kCount; ++i)
      j.hex_field(wire::X86ThreadState64::kNames[i], regs.regs[i]);
    inv.out << j.end_object().str() << "\n";
    return {};
  }
  for (const std::string& line : lines) inv.out << line << "\n";
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
