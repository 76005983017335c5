// Re-establishing the session for each command, the way gdb's kdp-reattach does: REATTACH (the
// kernel drops whoever held it and every kernel-managed breakpoint) then CONNECT, with the retry
// settings remembered at `kdpctl reattach` unless the command line overrides them.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "kdp/client/session.h"
#include "cli/invocation.h"

namespace kdp::cli {

enum class AttachKind { kReattach, kConnect };

// --retries/--timeout, else the state's, else the client's defaults; -v logs every packet.
client::SessionOptions session_options(const Invocation& inv, const State& state);

// Work done right after the handshake that may safely run again from the start: reads, and writes
// of the same bytes.
using SessionWork = std::function<Status(client::Session&)>;

// Opens the session to the current target and runs `work` on it. Breakpoint bytes a previous
// command could not restore (state.planted) are put back first and the state file updated.
//
// A kernel that answered the handshake and then stops answering while still stopped has most
// likely dropped the session: a delayed duplicate of our own REATTACH reached it late (spec
// §4.4; a lossy, reordering link makes that common, and the reply that would reveal it may be
// lost too). Nothing the kernel ran is lost then, so `work` fails with a timeout and the kernel
// not resumed, the whole open-and-work starts over on a new session (at most twice).
Expected<std::unique_ptr<client::Session>> open_session(const Invocation& inv, State& state,
                                                        AttachKind kind = AttachKind::kReattach,
                                                        const SessionWork& work = {});

// A session on the current target plus the stopped CPU's registers (read as restartable work),
// for commands that start from them (regs, bt). The session stays open for further reads.
struct StoppedCpu {
  std::unique_ptr<client::Session> session;
  wire::X86ThreadState64 registers;
};
Expected<StoppedCpu> open_session_with_registers(const Invocation& inv, State& state);

// A short-lived session used to find out what the kernel is doing after a request whose answer
// cannot be trusted to arrive (DISCONNECT, HOSTREBOOT): more attempts, a bounded wait, no packet log
// noise beyond -v, and no state file changes.
Expected<std::unique_ptr<client::Session>> open_probe_session(const Invocation& inv, const State& state,
                                                              AttachKind kind);

// For the command-line fuzz target: every session (and its host name lookup) fails at once with
// a usage error instead of sending anything, so any argv can run without a network.
void disable_sessions_for_fuzzing();

// How long continue/step wait for the stop: --timeout, else `fallback`.
std::chrono::milliseconds stop_timeout(const Invocation& inv, std::chrono::milliseconds fallback);

// Effectively forever for a wait that only the stop (or Ctrl-C) should end.
inline constexpr std::chrono::milliseconds kWaitForever = std::chrono::hours(24 * 365);

}  // namespace kdp::cli
