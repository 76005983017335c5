#include "cli/session_open.h"

#include <algorithm>
#include <atomic>
#include <ostream>

#include "cli/core/int3_journal.h"
#include "kdp/client/forwarding_session.h"
#include "kdp/net/udp_transport.h"
#include "cli/core/target_lock.h"
#include "cli/pcap/record_hook.h"

namespace kdp::cli {
namespace {

std::atomic<bool> g_sessions_disabled{false};

Status sessions_allowed() {
  if (g_sessions_disabled) return usage_error("sessions are disabled (command-line fuzzing)");
  return {};
}

// Gives back the original bytes under int3s left by an earlier command (see PlantedBreakpoint).
Status restore_planted(const Invocation& inv, client::Session& session, State& state) {
  const std::vector<PlantedBreakpoint> before = state.planted;
  while (!state.planted.empty()) {
    const PlantedBreakpoint p = state.planted.back();
    // A byte that is no longer 0xCC was restored by someone else: nothing to give back.
    if (session.adopt_breakpoint(p.address, p.original)) {
      Status removed = session.remove_breakpoint(p.address);
      if (!removed) return std::move(removed).error().context("restore the byte under an old breakpoint");
    }
    state.planted.pop_back();
  }
  // Only the bytes given back leave the file; a concurrent kdpctl's other changes stay.
  return inv.update_state([&](State& now) -> Status {
    std::erase_if(now.planted, [&](const PlantedBreakpoint& p) { return std::ranges::count(before, p) != 0; });
    return {};
  });
}

// A one-shot command's session: when the command is done with it, the state file keeps where the
// conversation stands (or that none can be resumed), so the next command binds the same port and
// goes on with it (client::ResumePoint) instead of REATTACH + CONNECT. Best effort: a state file
// that cannot be written only costs the next command a handshake.
class KeptForNextCommand final : public client::ForwardingSession {
 public:
  KeptForNextCommand(std::unique_ptr<client::Session> session, const Invocation& inv, std::string target)
      : ForwardingSession(*session), owned_(std::move(session)), inv_(inv), target_(std::move(target)) {}
  ~KeptForNextCommand() override {
    std::optional<client::ResumePoint> point = inner().resume_point();
    const auto srtt = std::chrono::duration_cast<std::chrono::microseconds>(inner().stats().srtt);
    (void)inv_.update_state([&](State& now) -> Status {
      if (point)
        now.session = KeptSession{target_, *point};
      else
        now.session.reset();
      if (srtt.count() > 0) now.srtt_us = static_cast<uint64_t>(srtt.count());  // the latest round trip
      return {};
    });
  }

 private:
  std::unique_ptr<client::Session> owned_;
  const Invocation& inv_;
  std::string target_;
};

// A direct-mode session with its turn on the target (target_lock.h): the lock is released after the
// session (and the state saved by KeptForNextCommand around it) is gone.
class HoldingTheTarget final : public client::ForwardingSession {
 public:
  HoldingTheTarget(std::unique_ptr<client::Session> session, std::optional<TargetLock> lock)
      : ForwardingSession(*session), lock_(std::move(lock)), owned_(std::move(session)) {}

 private:
  std::optional<TargetLock> lock_;  // declared first: released last
  std::unique_ptr<client::Session> owned_;
};

// Waits for this process's turn on `target` among direct-mode kdpctl processes of this state file.
// A lock file that cannot be created (an unwritable state directory) only costs the protection.
Expected<std::optional<TargetLock>> take_turn(const Invocation& inv, const std::string& target) {
  auto state_path = inv.state_path();
  if (!state_path) return std::optional<TargetLock>();
  std::ostream* err = &inv.err;
  const auto on_wait = [err, &target](const std::string& holder) {
    *err << "kdpctl: waiting for " << holder << " to finish with " << target << " (Ctrl-C gives up)\n" << std::flush;
  };
  auto lock = TargetLock::acquire(*state_path, target, "kdpctl " + inv.word, inv.interrupt(), on_wait);
  if (lock) return std::optional<TargetLock>(std::move(*lock));
  if (lock.error().kind() == ErrorKind::kInterrupted) return std::move(lock).error();
  if (inv.global.verbose) *err << "kdpctl: going on without the target lock: " << lock.error().message() << "\n";
  return std::optional<TargetLock>();
}

// What the last command left on disk, read again once it is our turn: the process we waited for
// moved the conversation on (its next seq) or ended it, and restored or planted breakpoint bytes.
Status reload_conversation(const Invocation& inv, State& state) {
  KDP_TRY(State now, inv.load_state());
  state.session = now.session;
  state.planted = now.planted;
  state.srtt_us = now.srtt_us;
  return {};
}

constexpr std::string_view kStillRunning = "is still running";

Error running_error(const std::string& target, const Error& error) {
  return Error(ErrorKind::kTimeout,
               "the kernel at " + target + " " + std::string(kStillRunning) +
                   " (a `kdpctl continue` or `step` left it running, and it does not answer: " + error.message() +
                   "). KDP cannot stop a running kernel: once it stops (a breakpoint, an NMI) and waits for a "
                   "debugger, the next command takes it");
}

// Where the last command left the conversation with this target, unless the sessions are an
// agent's. `connect` goes on with it too: the kernel is held by kdpctl itself, not by another
// debugger that a polite CONNECT must leave be. `reattach` takes the kernel over afresh from the
// conversation's port, and goes on with the conversation only if the REATTACH is ignored.
std::optional<client::ResumePoint> kept_conversation(const Invocation& inv, const State& state,
                                                     const std::string& target) {
  if (inv.sessions().keeps_sessions()) return std::nullopt;
  if (!state.session || state.session->target != target) return std::nullopt;
  return state.session->point;
}

// Only a session with the remembered target is kept (`--target` alone remembers nothing), and only
// by one-shot processes (an agent keeps its sessions itself).
bool keep_for_next_command(const Invocation& inv, const State& state, const std::string& target) {
  return !inv.sessions().keeps_sessions() && state.target == target;
}

constexpr uint32_t kCpuTypeI386 = 7;  // mach/machine.h CPU_TYPE_X86 (CPU_TYPE_X86_64 adds the 64-bit flag)

// An i386 kernel speaks the same KDP, but its registers, pointers and structs are 32-bit: read
// as x86_64 every register and every walk would be a wrong answer. What needs none of them works.
Status check_supported_cpu(const Invocation& inv, const client::Session& session) {
  const uint32_t cpu_type = session.target().host_info.cpu_type;
  if (cpu_type != kCpuTypeI386) return {};
  if (inv.word == "hostinfo" || inv.word == "version" || inv.word == "detach" || inv.word == "reboot") return {};
  return usage_error("the target is an i386 kernel (KDP_HOSTINFO cpu_type " + hex(cpu_type) +
                     "): 32-bit kernels are not supported yet (hostinfo, version, detach and reboot work)");
}

}  // namespace

client::SessionOptions session_options(const Invocation& inv, const State& state) {
  client::SessionOptions options;
  options.transport = net::udp_transport_factory();
  // One process per command: a kernel refused to us right after we attached was most likely
  // taken by a delayed CONNECT of the previous command's process.
  options.retake_window = std::chrono::milliseconds(2000);
  // Like Linux's tcp_metrics: the first request's timeout starts from the last measured round trip.
  if (state.srtt_us) options.remembered_rtt = std::chrono::microseconds(*state.srtt_us);
  if (state.retries) options.retry.max_attempts = *state.retries;
  if (state.timeout_ms) options.retry.deadline = std::chrono::milliseconds(*state.timeout_ms);
  if (inv.global.retries) options.retry.max_attempts = *inv.global.retries;
  if (inv.global.timeout) options.retry.deadline = *inv.global.timeout;
  if (inv.global.verbose) {
    std::ostream* err = &inv.err;
    options.packet_log = [err](std::string_view line) { *err << line << "\n" << std::flush; };
  }
  options.interrupt = inv.interrupt();
  // Beside the state file: a state that cannot be located leaves the int3s unrecorded, as before.
  if (auto state_path = inv.state_path()) options.int3_journal = std::make_shared<Int3JournalFile>(int3_journal_path(*state_path));
  add_recording(inv, options);
  return options;
}

Expected<std::unique_ptr<client::Session>> open_session(const Invocation& inv, State& state, AttachKind kind,
                                                        const SessionWork& work) {
  if (auto replay = replay_session_if_requested(inv)) {
    if (!*replay || !work) return std::move(*replay);
    KDP_TRY_STATUS(work(***replay));
    return std::move(*replay);
  }
  KDP_TRY(std::string target, inv.target(state));
  KDP_TRY_STATUS(sessions_allowed());
  std::optional<TargetLock> turn;
  if (!inv.sessions().keeps_sessions()) {
    KDP_TRY(turn, take_turn(inv, target));
    KDP_TRY_STATUS(reload_conversation(inv, state));
  }
  client::SessionOptions options = session_options(inv, state);
  const auto journal = std::static_pointer_cast<Int3JournalFile>(options.int3_journal);
  // A capture holds its whole session, handshake included, so that it replays on its own.
  if (!options.wrap_transport) {
    options.resume = kept_conversation(inv, state, target);
    options.take_over = inv.word == "reattach";
  }
  // The agent knows itself whether its session runs; a one-shot process learns it from the state.
  const bool left_running = state.running == target && !inv.sessions().keeps_sessions();
  if (left_running) options.attach_deadline = kLeftRunningTry;
  auto session = inv.sessions().open(target, kind, std::move(options));
  if (!session) {
    // A conversation that could not be resumed or replaced is over.
    if (state.session) (void)inv.update_state([](State& now) -> Status { now.session.reset(); return {}; });
    if (left_running && session.error().kind() == ErrorKind::kTimeout) return running_error(target, session.error());
    return session;
  }
  if (left_running) (void)inv.update_state([](State& now) -> Status { now.running.reset(); return {}; });
  if (keep_for_next_command(inv, state, target))
    session = std::unique_ptr<client::Session>(
        std::make_unique<KeptForNextCommand>(std::move(session).value(), inv, target));
  KDP_TRY_STATUS(check_supported_cpu(inv, **session));
  if (turn)
    session = std::unique_ptr<client::Session>(
        std::make_unique<HoldingTheTarget>(std::move(session).value(), std::move(turn)));
  if (!state.planted.empty()) KDP_TRY_STATUS(restore_planted(inv, **session, state));
  // An agent restores them when it opens its own session (held_session.cpp): the ones in the
  // journal now may be its own, in place.
  if (journal && !inv.sessions().keeps_sessions()) KDP_TRY_STATUS(restore_int3s(**session, *journal));
  if (work) KDP_TRY_STATUS(work(**session));
  return session;
}

Status note_left_running(const Invocation& inv, const State& state) {
  if (inv.sessions().keeps_sessions()) return {};
  KDP_TRY(std::string target, inv.target(state));
  return inv.update_state([&](State& now) -> Status {
    now.running = target;
    return {};
  });
}

bool still_running(const Error& error) {
  return error.kind() == ErrorKind::kTimeout && error.message().find(kStillRunning) != std::string::npos;
}

void disable_sessions_for_fuzzing() { g_sessions_disabled = true; }
bool sessions_disabled_for_fuzzing() { return g_sessions_disabled; }

std::chrono::milliseconds stop_timeout(const Invocation& inv, std::chrono::milliseconds fallback) {
  return inv.global.timeout.value_or(fallback);
}

}  // namespace kdp::cli
