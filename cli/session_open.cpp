#include "cli/session_open.h"

#include <algorithm>
#include <atomic>
#include <ostream>

#include "kdp/net/udp_transport.h"
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
  auto session = inv.sessions().open(target, kind, session_options(inv, state));
  if (!session) return session;
  if (!state.planted.empty()) KDP_TRY_STATUS(restore_planted(inv, **session, state));
  if (work) KDP_TRY_STATUS(work(**session));
  return session;
}

void disable_sessions_for_fuzzing() { g_sessions_disabled = true; }
bool sessions_disabled_for_fuzzing() { return g_sessions_disabled; }

std::chrono::milliseconds stop_timeout(const Invocation& inv, std::chrono::milliseconds fallback) {
  return inv.global.timeout.value_or(fallback);
}

}  // namespace kdp::cli
