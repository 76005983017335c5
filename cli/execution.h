// What `continue` and `step` share: putting the user's breakpoints into the kernel and taking them
// out again, and telling the user where the kernel stopped.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "kdp/client/session.h"
#include "cli/core/symbols.h"
#include "cli/invocation.h"
#include "cli/kernel_hooks.h"
#include "cli/session_open.h"
#include "kgm/backtrace.h"

namespace kdp::cli {

// Inserts every breakpoint of the state file (the kernel forgot them at REATTACH).
Status insert_breakpoints(client::Session& session, const State& state);

// Takes the session's breakpoints out of the stopped kernel, so memory reads see the original
// bytes and nothing is left for a later session to trip over. An int3 kdpctl wrote itself that
// could not be removed stays in the int3 journal (cli/core/int3_journal.h), where the session put
// it before the write, for the next session to restore.
Status remove_breakpoints(client::Session& session, State& state);

// After a resume whose stop never came (timeout, Ctrl-C): the kernel runs with our breakpoints in
// it (the int3s written to memory are in the journal). Explains what happens next.
Error resume_failed(client::Session& session, State& state, Error error);

struct Resumed {
  std::unique_ptr<client::Session> session;
  client::StopEvent stop;
};
// Lets the kernel run and waits for its stop. Whether a resume that went unanswered reached the
// kernel is the session's to find out (client::KdpSession, on its own socket).
using ResumeFn = std::function<Expected<client::StopEvent>(client::Session&)>;

// The part of continue and step that lets the kernel run. `prepare` runs first on a fresh session
// (see open_session); failures go through resume_failed.
Expected<Resumed> resume_retrying(const Invocation& inv, State& state, const SessionWork& prepare,
                                  const ResumeFn& resume);

// A stop on one of the user's breakpoints: its hit counted, and a temporary one (tbreak) deleted,
// as gdb's (the agent takes a deleted one out of the kernel before the next resume).
void note_breakpoint_stop(State& state, const client::StopEvent& stop);

// The frame the kernel stopped in: pc, rbp, symbol, and with the kernel's dSYM its function,
// arguments and line (bt's frame #0). nullopt for a termination, or when the registers cannot be
// read.
std::optional<kgm::Frame> stop_frame(const KernelHooks& hooks, client::Session& session, const client::StopEvent& stop);

// gdb's report: "Breakpoint 1, 0xffffff8000201234 in ?? ()" for a hit, else the exception and
// the frame line. With the kernel's dSYM, the frame's source ("[0x… in ]kext_alloc (_addr=0x…)
// at kext_alloc.c:107") stands for it. JSON: {"stop": {..., "frame": bt's frame object or null}}.
void print_stop(Invocation& inv, const State& state, const client::StopEvent& stop, const SymbolLookup& symbols,
                const std::optional<kgm::Frame>& frame);

}  // namespace kdp::cli
