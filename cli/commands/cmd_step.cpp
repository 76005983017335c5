// kdpctl step [N]: single-step N instructions (gdb's stepi).
#include <ostream>

#include "cli/command.h"
#include "cli/core/number.h"
#include "cli/core/stop_report.h"
#include "cli/execution.h"
#include "cli/kernel_hooks.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

constexpr uint32_t kExcBreakpoint = 6;  // how xnu reports a completed single step (spec §4.8)

bool completed(const client::StopEvent& stop) { return stop.exception == kExcBreakpoint && !stop.termination; }

Status run_step(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 1, "COUNT"));
  uint64_t count = 1;
  if (!inv.args.empty()) {
    KDP_TRY(count, parse_u64(inv.args[0], "step count"));
  }
  if (count == 0) return usage_error("step: COUNT must be at least 1");
  KDP_TRY(State state, inv.load_state());
  // No breakpoints go in: one instruction cannot run into another int3, and the one at RIP would
  // only have to be stepped over.
  std::unique_ptr<KernelHooks> hooks;
  const SessionWork prepare = [&](client::Session& session) -> Status {
    KDP_TRY(hooks, load_kernel_hooks(inv, state, &session));
    return {};
  };
  const auto timeout = stop_timeout(inv, client::RetryPolicy{}.deadline);
  const ResumeFn step = [&](client::Session& session) { return session.single_step(timeout); };
  KDP_TRY(Resumed first, resume_retrying(inv, state, prepare, step));
  client::StopEvent stop = first.stop;
  for (uint64_t i = 1; i < count && completed(stop); ++i) {  // a fault ends the steps
    auto next = first.session->single_step(timeout);
    if (!next) return resume_failed(*first.session, state, std::move(next).error());
    stop = std::move(next).value();
  }
  if (inv.global.json || !completed(stop)) {
    print_stop(inv, state, stop, hooks->symbols(), stop_frame(*hooks, *first.session, stop));
    return {};
  }
  inv.out << gdb_frame_line(stop.rip, hooks->symbols()) << "\n";
  return {};
}

const CommandSpec kStep{
    .name = "step",
    .usage = "step [COUNT]",
    .summary = "execute one machine instruction (COUNT of them) and show where the CPU is",
    .run = run_step,
};

}  // namespace

const CommandSpec& step_command() { return kStep; }
}  // namespace kdp::cli
