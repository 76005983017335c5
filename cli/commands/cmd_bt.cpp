// kdpctl bt: the selected thread's call stack (the stopped CPU's unless `thread N` chose another) by walking saved frame pointers (kgm::walk_frames) over
// the invocation's memory (live, or --core with the core's thread state), every frame symbolicated
// when a kernel is loaded (kext frames by kext name and offset), printed like gdb's `bt`. Unmapped
// or garbage frames end the walk with gdb's "Backtrace stopped: ..."; a failed read (timeout,
// protocol error) is an error with its own exit code, after the frames found before it.
#include <ostream>

#include "cli/backtrace_view.h"
#include "cli/command.h"
#include "cli/core/number.h"
#include "cli/core/user_text.h"
#include "cli/core/frame_json.h"
#include "kdp/base/json.h"

#include "kgm/backtrace.h"

namespace kdp::cli {
namespace {

void print_json(Invocation& inv, const kgm::Backtrace& bt) {
  JsonWriter j;
  j.begin_object().key("frames").begin_array();
  for (const kgm::Frame& f : bt.frames) write_frame_json(j, f);
  j.end_array().field("stop", kgm::describe(bt.stop)).field("detail", bt.detail);
  inv.out << j.end_object().str() << "\n";
}

struct BtArguments {
  std::optional<size_t> limit;  // bt N: the N innermost frames
  bool full = false;            // bt full
};

// gdb's `bt N`, `bt full`, `bt full N`, `bt N full`.
Expected<BtArguments> bt_arguments(const std::vector<std::string>& args) {
  BtArguments out;
  for (const std::string& a : args) {
    if (a == "full" || a == "-full") {
      out.full = true;
      continue;
    }
    auto n = parse_u64(a, "frame count");
    if (!n || out.limit || *n == 0 || *n > kgm::kMaxFrames)
      return usage_error("bt: expected [N] [full], got " + quote_user_text(a) + " (N: 1.." +
                         std::to_string(kgm::kMaxFrames) + ")");
    out.limit = static_cast<size_t>(*n);
  }
  return out;
}

// The N innermost frames; gdb ends the listing with "(More stack frames follow...)" when it cut
// some off, and says nothing of how the walk ended.
bool keep_innermost(kgm::Backtrace& bt, std::optional<size_t> limit) {
  if (!limit || bt.frames.size() <= *limit) return false;
  bt.frames.resize(*limit);
  bt.stop = kgm::StopReason::kNullFramePointer;
  bt.detail.clear();
  return true;
}

Status run_bt(Invocation& inv) {
  KDP_TRY(BtArguments arguments, bt_arguments(inv.args));
  inv.args.clear();
  KDP_TRY(State state, inv.load_state());
  std::optional<kgm::Backtrace> bt;
  const TargetWork work = [&](TargetView& target) -> Status {
    bt.reset();
    // The selected thread's stack from its innermost frame, whatever frame is selected (gdb's bt).
    KDP_TRY(wire::X86ThreadState64 regs, target.thread_registers());
    bt = symbolic_backtrace(target, regs, inv.global.types);
    // A failed read may be worth another session on a live target (see open_session).
    if (bt->error) return *bt->error;
    return {};
  };
  Status walked = with_target_memory(inv, state, work);
  if (!bt) return walked;  // no registers, no target, ...
  const bool more = !bt->error && keep_innermost(*bt, arguments.limit);
  if (arguments.full) inv.warn_once("note: bt full: local variables are not read; the frames show their arguments");
  if (inv.global.json) {
    if (bt->error) return std::move(*bt->error);  // one JSON document per run: the error's
    print_json(inv, *bt);
    return {};
  }
  inv.out << kgm::render_backtrace(*bt) << (more ? "(More stack frames follow...)\n" : "");
  if (bt->error) return std::move(*bt->error);
  return walked;
}

const CommandSpec kBt{
    .name = "bt",
    .usage = "bt [N] [full]",
    .summary = "backtrace of the stopped CPU (frame-pointer walk, symbols with --kernel; works with --core); "
               "bt N: the N innermost frames (also: where, backtrace)",
    .run = run_bt,
};

}  // namespace

const CommandSpec& bt_command() { return kBt; }
}  // namespace kdp::cli
