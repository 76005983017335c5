#include "cli/execution.h"

#include <algorithm>
#include <ostream>

#include "kdp/base/bytes.h"
#include "kdp/base/json.h"
#include "cli/core/number.h"
#include "cli/core/stop_report.h"

namespace kdp::cli {

Status insert_breakpoints(client::Session& session, const State& state) {
  for (const Breakpoint& bp : state.breakpoints.entries()) {
    Status inserted = session.set_breakpoint(bp.address);
    if (!inserted)
      return std::move(inserted).error().context("Cannot insert breakpoint " + std::to_string(bp.number));
  }
  return {};
}

Status remove_breakpoints(client::Session& session, State& state) {
  Status result;
  for (const client::BreakpointInfo& bp : session.breakpoints()) {
    Status removed = session.remove_breakpoint(bp.address);
    if (removed) continue;
    if (!bp.kernel_managed) state.planted.push_back({bp.address, bp.original});
    if (result) result = std::move(removed).error();
  }
  return result;
}

Error resume_failed(client::Session& session, State& state, Error error) {
  for (const client::BreakpointInfo& bp : session.breakpoints())
    if (!bp.kernel_managed) state.planted.push_back({bp.address, bp.original});
  if (error.kind() != ErrorKind::kTimeout && error.kind() != ErrorKind::kInterrupted) return error;
  return std::move(error).context(
      "the kernel keeps running (KDP cannot stop it); if it stops with nobody acknowledging its "
      "notification it gives up after ~100 tries, drops its breakpoints and resumes");
}

Expected<Resumed> resume_retrying(const Invocation& inv, State& state, const SessionWork& prepare,
                                  const ResumeFn& resume) {
  KDP_TRY(auto session, open_session(inv, state, AttachKind::kReattach, prepare));
  auto stop = resume(*session);
  if (!stop) {
    if (session->running()) (void)note_left_running(inv, state);
    return resume_failed(*session, state, std::move(stop).error());
  }
  return Resumed{std::move(session), std::move(stop).value()};
}

void print_stop(Invocation& inv, const State& state, const client::StopEvent& stop, const SymbolLookup& symbols,
                const std::optional<std::string>& source) {
  const Breakpoint* bp = stop.breakpoint_hit ? state.breakpoints.find(stop.rip) : nullptr;
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().key("stop").begin_object().field("exception", stop.exception).field("code", stop.code);
    j.field("subcode", stop.subcode).field("description", stop.description()).hex_field("rip", stop.rip);
    j.field("breakpoint_hit", stop.breakpoint_hit).key("breakpoint");
    bp ? j.value(bp->number) : j.null();
    if (source) j.field("frame", *source);
    inv.out << j.end_object().end_object().str() << "\n";
    return;
  }
  if (bp && source) {
    inv.out << "Breakpoint " << bp->number << ", " << *source << "\n";
    return;
  }
  if (bp) {
    inv.out << gdb_breakpoint_line(bp->number, stop.rip, symbols) << "\n";
    return;
  }
  inv.out << "Program received " << stop.description() << ".\n";
  if (!stop.termination) inv.out << gdb_frame_line(stop.rip, symbols) << "\n";
}

}  // namespace kdp::cli
