// Re-establishing the session for each command, the way gdb's kdp-reattach does: REATTACH (the
// kernel drops whoever held it and every kernel-managed breakpoint) then CONNECT, with the retry
// settings remembered at `kdpctl reattach` unless the command line overrides them.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "kdp/client/session.h"
#include "cli/invocation.h"
#include "cli/session_provider.h"

namespace kdp::cli {

// --retries/--timeout, else the state's, else the client's defaults; -v logs every packet.
client::SessionOptions session_options(const Invocation& inv, const State& state);

// Work done right after the handshake that may safely run again from the start: reads, and writes
// of the same bytes.
using SessionWork = std::function<Status(client::Session&)>;

// Opens the session to the current target and runs `work` on it. Breakpoint bytes a previous
// command could not restore (state.planted) are put back first and the state file updated.
// Recovery from loss, delayed duplicates and a kernel that fell silent is the client library's
// (kdp/client/session_recovery.cpp): one session, no retry loop here.
Expected<std::unique_ptr<client::Session>> open_session(const Invocation& inv, State& state,
                                                        AttachKind kind = AttachKind::kReattach,
                                                        const SessionWork& work = {});


// Remembers in the state file that `continue` or `step` left the target running (State::running):
// the next command that needs it stopped tries it only briefly (kLeftRunningTry) and says why.
Status note_left_running(const Invocation& inv, const State& state);
inline constexpr std::chrono::milliseconds kLeftRunningTry{1000};
// Whether `error`, from open_session, says the target is still running as a command left it.
bool still_running(const Error& error);

// For the command-line fuzz target: every session (and its host name lookup) fails at once with
// a usage error instead of sending anything, so any argv can run without a network.
void disable_sessions_for_fuzzing();
bool sessions_disabled_for_fuzzing();

// How long continue/step wait for the stop: --timeout, else `fallback`.
std::chrono::milliseconds stop_timeout(const Invocation& inv, std::chrono::milliseconds fallback);

// Effectively forever for a wait that only the stop (or Ctrl-C) should end.
inline constexpr std::chrono::milliseconds kWaitForever = std::chrono::hours(24 * 365);

}  // namespace kdp::cli
