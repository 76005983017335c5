// kdpctl nexti (gdb's ni): one instruction, stepping over a call: on a call instruction the kernel
// runs, with the user's breakpoints and one more after the call, until it stops (normally there,
// when the callee returns); any other instruction is a single step, as `step`.
#include <ostream>

#include "cli/command.h"
#include "cli/core/stop_report.h"
#include "cli/execution.h"
#include "cli/kernel_hooks.h"
#include "cli/session_open.h"
#include "kgm/session_memory.h"

namespace kdp::cli {
namespace {

// AT&T "callq  0x…", Intel "call 0x…".
bool is_call(const Instruction& insn) { return insn.text.starts_with("call"); }

// Where the instruction after a call at the stopped CPU's rip begins; nullopt for any other one.
Expected<std::optional<uint64_t>> after_call(client::Session& session, const KernelHooks& hooks) {
  const Disassembler disassemble = hooks.disassembler();
  if (!disassemble) return usage_error("nexti: no disassembler to find the call's length");
  KDP_TRY(wire::X86ThreadState64 regs, session.read_registers());
  kgm::SessionMemory memory(session);
  KDP_TRY(Instruction insn, disassemble(regs.rip(), memory));
  if (!is_call(insn)) return std::optional<uint64_t>();
  return std::optional<uint64_t>(regs.rip() + insn.length);
}

Status run_nexti(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  std::unique_ptr<KernelHooks> hooks;
  std::optional<uint64_t> return_to;
  bool internal = false;  // the breakpoint after the call is ours, not one of the user's
  const SessionWork prepare = [&](client::Session& session) -> Status {
    KDP_TRY(hooks, load_kernel_hooks(inv, state, &session));
    KDP_TRY(return_to, after_call(session, *hooks));
    if (!return_to) return {};
    KDP_TRY_STATUS(insert_breakpoints(session, state));
    internal = state.breakpoints.find(*return_to) == nullptr;
    if (internal) return session.set_breakpoint(*return_to);
    return {};
  };
  const auto step_timeout = stop_timeout(inv, client::RetryPolicy{}.deadline);
  const ResumeFn resume = [&](client::Session& session) -> Expected<client::StopEvent> {
    if (!return_to) return session.single_step(step_timeout);
    return session.resume_and_wait(stop_timeout(inv, kWaitForever));
  };
  KDP_TRY(Resumed resumed, resume_retrying(inv, state, prepare, resume));
  const client::StopEvent& stop = resumed.stop;
  Status removed;
  if (return_to) removed = remove_breakpoints(*resumed.session, state);  // the one after the call too
  const bool arrived = stop.rip == return_to || (!return_to && stop.exception == 6 && !stop.termination);
  if (inv.global.json || !arrived) {
    print_stop(inv, state, stop, hooks->symbols(), stop_frame(*hooks, *resumed.session, stop));
  } else {
    inv.out << gdb_frame_line(stop.rip, hooks->symbols()) << "\n";
  }
  Status saved = inv.update_state_after_output([&](State& now) -> Status {
    now.planted = state.planted;
    if (!arrived || !internal) note_breakpoint_stop(now, stop);
    return {};
  });
  return removed ? saved : removed;
}

const CommandSpec kNexti{
    .name = "nexti",
    .usage = "nexti",
    .summary = "execute one instruction, stepping over a call (gdb's ni): the kernel runs until the call returns",
    .run = run_nexti,
};

}  // namespace

const CommandSpec& nexti_command() { return kNexti; }
}  // namespace kdp::cli
