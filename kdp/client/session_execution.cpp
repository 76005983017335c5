// Running the kernel: RESUMECPUS and the wait for the KDP_EXCEPTION that reports the next stop,
// single steps with the trap flag, stepping over this session's breakpoint at RIP before a
// continue, and rewinding RIP onto a breakpoint after its int3 (spec §4.6, §4.7).
#include "kdp/client/kdp_session.h"

#include "kdp/client/duration_text.h"

namespace kdp::client {

using wire::Command;
using wire::X86ThreadState64;

namespace {

constexpr uint32_t kExcBreakpoint = 6;

StopEvent event_from(const StopNotice& notice) {
  StopEvent event;
  if (notice.termination) {
    event.termination = true;
    event.code = notice.termination->term_code;
    event.subcode = notice.termination->exit_code;
  } else if (!notice.exceptions.empty()) {
    const wire::ExceptionInfo& e = notice.exceptions.front();
    event = StopEvent{e.cpu, e.exception, e.code, e.subcode};
  }
  return event;
}

}  // namespace

Expected<StopEvent> KdpSession::resume_and_wait(std::chrono::milliseconds timeout) {
  KDP_TRY_STATUS(usable());
  auto stop = continue_once(link_.now() + timeout);
  if (!stop) return std::move(stop).error().context("continue " + label());
  return stop;
}

Expected<StopEvent> KdpSession::continue_once(Time deadline) {
  for (int round = 0; round <= kMaxRegains; ++round) {
    KDP_TRY_STATUS(restore_breakpoints());
    KDP_TRY(X86ThreadState64 regs, fetch_registers());
    // Resuming on our own int3 would trap at once: remove it, step one instruction, re-insert.
    if (is_inserted_breakpoint(regs.rip())) KDP_TRY_STATUS(step_once(deadline));
    else if (regs.rflags() & X86ThreadState64::kTrapFlag) {
      regs.rflags() &= ~X86ThreadState64::kTrapFlag;  // left over from an interrupted step
      KDP_TRY_STATUS(store_registers(regs));
    }
    std::string note;
    bool regained = false;
    KDP_TRY_STATUS(resume(deadline, note, regained));
    if (!regained) return await_stop(deadline, note, false);
  }
  return never_resumed();
}

Error KdpSession::never_resumed() const {
  return Error(ErrorKind::kTimeout, "the kernel answers KDP_CONNECT but never executed KDP_RESUMECPUS (" +
                                        std::to_string(kMaxRegains + 1) + " tries)");
}

Expected<StopEvent> KdpSession::single_step(std::chrono::milliseconds timeout) {
  KDP_TRY_STATUS(usable());
  Time deadline = link_.now() + timeout;
  auto stop = [&]() -> Expected<StopEvent> {
    KDP_TRY_STATUS(restore_breakpoints());
    return step_once(deadline);
  }();
  if (!stop) return std::move(stop).error().context("step " + label());
  return stop;
}

Expected<StopEvent> KdpSession::wait_for_stop(std::chrono::milliseconds timeout) {
  if (closed_) return usage_error("the session to " + label() + " is closed");
  KDP_TRY_STATUS(check_for_stop());
  if (early_stop_) return std::exchange(early_stop_, std::nullopt).value();
  if (!running_) return usage_error("the kernel at " + label() + " is not running");
  auto stop = await_stop(link_.now() + timeout, "", false);
  if (!stop) return std::move(stop).error().context("wait " + label());
  return stop;
}

Expected<StopEvent> KdpSession::step_once(Time deadline) {
  auto at_rip = breakpoints_.end();
  bool lifted = false;
  for (int round = 0; round <= kMaxRegains; ++round) {
    KDP_TRY(X86ThreadState64 regs, fetch_registers());
    if (!lifted) {
      at_rip = breakpoints_.find(regs.rip());
      lifted = at_rip != breakpoints_.end() && at_rip->second.inserted;
      if (lifted) KDP_TRY_STATUS(lift(at_rip->first, at_rip->second));
    }
    regs.rflags() |= X86ThreadState64::kTrapFlag;
    KDP_TRY_STATUS(store_registers(regs));
    std::string note;
    bool regained = false;
    KDP_TRY_STATUS(resume(deadline, note, regained));
    if (regained) continue;  // it never ran: the registers and breakpoints are as they were
    KDP_TRY(StopEvent stop, await_stop(deadline, note, true));
    if (lifted) KDP_TRY_STATUS(insert(at_rip->first, at_rip->second));
    return stop;
  }
  return never_resumed();
}

Status KdpSession::resume(Time deadline, std::string& note, bool& regained) {
  KDP_TRY_STATUS(link_.settle_sequence());
  uint32_t cpus = info_.host_info.cpus_mask != 0 ? info_.host_info.cpus_mask : 1;
  note_request(Command::kResumeCpus);
  RequestSpec spec(Command::kResumeCpus, wire::ResumeRequest{cpus});
  spec.completed_by_stop = true;
  spec.deadline = std::max(Duration::zero(), std::min<Duration>(setup_.options.retry.deadline, deadline - link_.now()));
  spec.max_attempts = silent_attempts(setup_.options.retry);
  link_.engine().expect_stop(true);
  Completion done = link_.run(std::move(spec));
  if (done.reply) {
    running_ = !link_.engine().has_stop();
    return {};
  }
  // A running kernel does not listen: its reply may be lost for good, and an interrupted wait
  // may have sent it already. A stop, or the kernel's answer to our CONNECT, decides.
  if (done.reply.error().kind() != ErrorKind::kTimeout) {
    running_ = true;
    return std::move(done.reply).error();
  }
  auto ran = resumed_or_regained(done.reply.error(), deadline);
  running_ = !ran || *ran;
  KDP_TRY_STATUS(ran);
  regained = !*ran;
  if (!regained) note = done.reply.error().message();
  return {};
}

Expected<StopEvent> KdpSession::await_stop(Time deadline, const std::string& resume_note, bool stepping) {
  Time started = link_.now();
  auto notice = link_.wait_for_stop(deadline);
  if (!notice && notice.error().kind() == ErrorKind::kTimeout) {
    std::string message = "no stop within " + duration_text(link_.now() - started);
    message += resume_note.empty() ? " (the kernel is still running)"
                                   : " (" + resume_note + "; the kernel may or may not be running)";
    return Error(ErrorKind::kTimeout, message);
  }
  if (!notice) return std::move(notice).error();
  running_ = false;
  return finish_stop(*notice, stepping);
}

Expected<StopEvent> KdpSession::finish_stop(const StopNotice& notice, bool stepping) {
  ++generation_;  // the kernel ran until this stop
  StopEvent event = event_from(notice);
  if (event.termination) return event;
  KDP_TRY(X86ThreadState64 regs, fetch_registers());
  bool changed = false;
  if (stepping && (regs.rflags() & X86ThreadState64::kTrapFlag)) {
    regs.rflags() &= ~X86ThreadState64::kTrapFlag;
    changed = true;
  }
  // int3 leaves RIP one past the 0xCC. A single step never executes our int3 (the one at RIP is
  // lifted first), so only a continue can have hit one.
  if (!stepping && event.exception == kExcBreakpoint && is_inserted_breakpoint(regs.rip() - 1)) {
    regs.rip() -= 1;
    event.breakpoint_hit = true;
    changed = true;
  }
  if (changed) KDP_TRY_STATUS(store_registers(regs));
  event.rip = regs.rip();
  return event;
}

Status KdpSession::restore_breakpoints() {
  for (auto& [address, breakpoint] : breakpoints_)
    if (!breakpoint.inserted) KDP_TRY_STATUS(insert(address, breakpoint));
  return {};
}

Status KdpSession::check_for_stop() {
  if (!running_) return {};
  link_.poll();
  auto notice = link_.engine().take_stop();
  if (!notice) return {};
  running_ = false;
  KDP_TRY(early_stop_, finish_stop(*notice, false));
  return {};
}

}  // namespace kdp::client
