// kdpctl continue: insert the breakpoints, resume, stay attached until the kernel stops.
#include <ostream>

#include "cli/command.h"
#include "cli/execution.h"
#include "cli/kernel_hooks.h"
#include "cli/core/number.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

Status run_continue(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  std::unique_ptr<KernelHooks> hooks;
  bool announced = false;
  const SessionWork prepare = [&](client::Session& session) -> Status {
    KDP_TRY(hooks, load_kernel_hooks(inv, state, &session));
    KDP_TRY_STATUS(insert_breakpoints(session, state));
    if (!inv.global.json && !announced) inv.out << "Continuing.\n" << std::flush;
    announced = true;
    return {};
  };
  // The session acknowledges the stop notification at once (an unacknowledged kernel gives up
  // after ~100 tries and drops us, spec §4.8) and rewinds RIP onto a breakpoint that was hit
  // (spec §4.7).
  const ResumeFn resume = [&](client::Session& session) {
    return session.resume_and_wait(stop_timeout(inv, kWaitForever));
  };
  // Only this session knows which int3s it left in kernel memory: its `planted` list wins.
  const auto keep_planted = [&](State& now) -> Status {
    now.planted = state.planted;
    return {};
  };
  auto resumed = resume_retrying(inv, state, prepare, resume);
  if (!resumed) {
    KDP_TRY_STATUS(inv.update_state(keep_planted));
    return std::move(resumed).error();
  }
  const client::StopEvent& stop = resumed->stop;
  Status removed = remove_breakpoints(*resumed->session, state);
  if (stop.breakpoint_hit) state.breakpoints.record_hit(stop.rip);
  if (!inv.global.json) inv.out << "\n";
  print_stop(inv, state, stop, hooks->symbols(), stop_frame(*hooks, *resumed->session, stop));
  Status saved = inv.update_state_after_output([&](State& now) -> Status {
    KDP_TRY_STATUS(keep_planted(now));
    note_breakpoint_stop(now, stop);
    return {};
  });
  return removed ? saved : removed;
}

const CommandSpec kContinue{
    .name = "continue",
    .usage = "continue",
    .summary = "resume the kernel with the breakpoints inserted and wait for it to stop",
    .details = "Waits until the kernel stops (a breakpoint, a trap, an NMI), or --timeout SECONDS, or Ctrl-C;\n"
               "the kernel cannot be stopped over KDP, so after a timeout or Ctrl-C it keeps running.\n"
               "A breakpoint hit leaves RIP on the breakpoint; the next continue steps over it first.",
    .run = run_continue,
};

}  // namespace

const CommandSpec& continue_command() { return kContinue; }
}  // namespace kdp::cli
