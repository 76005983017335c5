#include "cli/session_open.h"

#include <algorithm>
#include <ostream>

#include "cli/interrupt.h"
#include "cli/pcap/record_hook.h"

namespace kdp::cli {
namespace {

// Gives back the original bytes under int3s left by an earlier command (see PlantedBreakpoint).
Status restore_planted(const Invocation& inv, client::Session& session, State& state) {
  while (!state.planted.empty()) {
    const PlantedBreakpoint p = state.planted.back();
    // A byte that is no longer 0xCC was restored by someone else: nothing to give back.
    if (session.adopt_breakpoint(p.address, p.original)) {
      Status removed = session.remove_breakpoint(p.address);
      if (!removed) return std::move(removed).error().context("restore the byte under an old breakpoint");
    }
    state.planted.pop_back();
  }
  return inv.save_state(state);
}

}  // namespace

client::SessionOptions session_options(const Invocation& inv, const State& state) {
  client::SessionOptions options;
  if (state.retries) options.retry.max_attempts = *state.retries;
  if (state.timeout_ms) options.retry.deadline = std::chrono::milliseconds(*state.timeout_ms);
  if (inv.global.retries) options.retry.max_attempts = *inv.global.retries;
  if (inv.global.timeout) options.retry.deadline = *inv.global.timeout;
  if (inv.global.verbose) {
    std::ostream* err = &inv.err;
    options.packet_log = [err](std::string_view line) { *err << line << "\n" << std::flush; };
  }
  options.interrupt = interrupt_flag();
  add_recording(inv, options);
  return options;
}

namespace {

// One attempt. `retryable`: `work` timed out after a good handshake with the kernel still stopped.
Expected<std::unique_ptr<client::Session>> attach_once(const Invocation& inv, State& state, AttachKind kind,
                                                       const SessionWork& work, bool& retryable) {
  retryable = false;
  if (auto replay = replay_session_if_requested(inv)) {
    if (!*replay || !work) return std::move(*replay);
    KDP_TRY_STATUS(work(***replay));
    return std::move(*replay);
  }
  KDP_TRY(std::string target, inv.target(state));
  auto session = kind == AttachKind::kReattach ? client::Session::reattach(target, session_options(inv, state))
                                               : client::Session::connect(target, session_options(inv, state));
  if (!session) return session;
  if (!state.planted.empty()) KDP_TRY_STATUS(restore_planted(inv, **session, state));
  if (!work) return session;
  Status done = work(**session);
  if (done) return session;
  retryable = done.error().kind() == ErrorKind::kTimeout && !(*session)->running();
  return std::move(done).error();
}

}  // namespace

Expected<std::unique_ptr<client::Session>> open_session(const Invocation& inv, State& state, AttachKind kind,
                                                        const SessionWork& work) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    bool retryable = false;
    auto session = attach_once(inv, state, kind, work, retryable);
    if (session || !retryable || attempt == kAttempts) return session;
    if (inv.global.verbose) inv.err << "kdpctl: " << session.error().message() << "; starting over\n";
  }
}

Expected<StoppedCpu> open_session_with_registers(const Invocation& inv, State& state) {
  wire::X86ThreadState64 registers;
  const SessionWork work = [&](client::Session& session) -> Status {
    KDP_TRY(registers, session.read_registers());
    return {};
  };
  KDP_TRY(auto session, open_session(inv, state, AttachKind::kReattach, work));
  return StoppedCpu{std::move(session), registers};
}

Expected<std::unique_ptr<client::Session>> open_probe_session(const Invocation& inv, const State& state,
                                                              AttachKind kind) {
  if (auto replay = replay_session_if_requested(inv)) return std::move(*replay);
  KDP_TRY(std::string target, inv.target(state));
  client::SessionOptions options = session_options(inv, state);
  // A stopped kernel answers one of eight tries even on a bad link (20% loss each way leaves
  // 0.36^8 < 0.03% unanswered); a running or rebooting one answers none.
  options.retry.max_attempts = std::max(options.retry.max_attempts, 8);
  options.retry.deadline = std::chrono::milliseconds(5000);
  return kind == AttachKind::kReattach ? client::Session::reattach(target, std::move(options))
                                       : client::Session::connect(target, std::move(options));
}

std::chrono::milliseconds stop_timeout(const Invocation& inv, std::chrono::milliseconds fallback) {
  return inv.global.timeout.value_or(fallback);
}

}  // namespace kdp::cli
