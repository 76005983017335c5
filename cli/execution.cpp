#include "cli/execution.h"

#include <algorithm>
#include <ostream>

#include "kdp/base/bytes.h"
#include "kdp/base/json.h"
#include "cli/core/number.h"
#include "cli/core/frame_json.h"
#include "cli/core/stop_report.h"
#include "cli/debug_modules.h"
#include "kgm/dwarf_frames.h"
#include "kgm/session_memory.h"
#include "macho/symbolizer.h"

namespace kdp::cli {

Status insert_breakpoints(client::Session& session, const State& state) {
  for (const Breakpoint& bp : state.breakpoints.entries()) {
    Status inserted = session.set_breakpoint(bp.address);
    if (!inserted)
      return std::move(inserted).error().context("Cannot insert breakpoint " + std::to_string(bp.number));
  }
  return {};
}

Status remove_breakpoints(client::Session& session, State&) {
  Status result;
  for (const client::BreakpointInfo& bp : session.breakpoints()) {
    Status removed = session.remove_breakpoint(bp.address);
    if (!removed && result) result = std::move(removed).error();
  }
  return result;
}

Error resume_failed(client::Session&, State&, Error error) {
  if (error.kind() != ErrorKind::kTimeout && error.kind() != ErrorKind::kInterrupted) return error;
  return std::move(error).context(
      "the kernel keeps running (KDP cannot stop it); if it stops with nobody acknowledging its "
      "notification it gives up after ~100 tries, drops its breakpoints and resumes");
}

Expected<Resumed> resume_retrying(const Invocation& inv, State& state, const SessionWork& prepare,
                                  const ResumeFn& resume) {
  KDP_TRY(auto session, open_session(inv, state, AttachKind::kReattach, prepare));
  // The kernel runs: gdb's selected thread and frame belong to the stop it leaves.
  state.selection.reset();
  (void)inv.update_state([](State& now) -> Status {
    now.selection.reset();
    return {};
  });
  auto stop = resume(*session);
  if (!stop) {
    if (session->running()) (void)note_left_running(inv, state);
    return resume_failed(*session, state, std::move(stop).error());
  }
  return Resumed{std::move(session), std::move(stop).value()};
}

void note_breakpoint_stop(State& state, const client::StopEvent& stop) {
  if (!stop.breakpoint_hit) return;
  state.breakpoints.record_hit(stop.rip);
  if (const Breakpoint* hit = state.breakpoints.find(stop.rip); hit && hit->temporary)
    (void)state.breakpoints.remove(stop.rip);  // found just now: cannot fail
}

std::optional<kgm::Frame> stop_frame(const KernelHooks& hooks, client::Session& session, const client::StopEvent& stop) {
  if (stop.termination) return std::nullopt;
  auto regs = session.read_registers();
  if (!regs) return std::nullopt;
  kgm::Frame frame{stop.rip, regs->rbp(), macho::format_address_symbol(hooks.symbolizer(), stop.rip), std::nullopt};
  if (!hooks.debug_modules().empty()) {
    kgm::SessionMemory memory(session);
    frame.source = module_source_frame(hooks, stop.rip, regs->rbp(), false, memory, regs->rsp());
  }
  return frame;
}

namespace {

// With the kernel's dSYM, the stop reads as gdb's with debug info: "kext_alloc (_addr=0x…, …) at
// kext_alloc.c:107", the pc first when the stop is not on the first instruction of a line.
std::optional<std::string> source_text(const std::optional<kgm::Frame>& frame) {
  if (!frame || !frame->source) return std::nullopt;
  const std::string where = frame->source->at_line_start ? "" : hex_padded(frame->pc) + " in ";
  return where + kgm::source_frame_text(*frame->source);
}

}  // namespace

void print_stop(Invocation& inv, const State& state, const client::StopEvent& stop, const SymbolLookup& symbols,
                const std::optional<kgm::Frame>& frame) {
  const Breakpoint* bp = stop.breakpoint_hit ? state.breakpoints.find(stop.rip) : nullptr;
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().key("stop").begin_object().field("exception", stop.exception).field("code", stop.code);
    j.field("subcode", stop.subcode).field("description", stop.description()).hex_field("rip", stop.rip);
    j.field("breakpoint_hit", stop.breakpoint_hit).key("breakpoint");
    bp ? j.value(bp->number) : j.null();
    j.key("frame");
    if (frame)
      write_frame_json(j, *frame);
    else
      j.null();
    inv.out << j.end_object().end_object().str() << "\n";
    return;
  }
  const std::optional<std::string> source = source_text(frame);
  if (bp && source) {
    inv.out << (bp->temporary ? "Temporary breakpoint " : "Breakpoint ") << bp->number << ", " << *source << "\n";
    return;
  }
  if (bp) {
    inv.out << gdb_breakpoint_line(bp->number, stop.rip, symbols, bp->temporary) << "\n";
    return;
  }
  inv.out << "Program received " << stop.description() << ".\n";
  if (!stop.termination) inv.out << gdb_frame_line(stop.rip, symbols) << "\n";
}

}  // namespace kdp::cli
