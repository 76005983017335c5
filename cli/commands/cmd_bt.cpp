// kdpctl bt: the stopped CPU's call stack by walking saved frame pointers (kgm::walk_frames) over
// the invocation's memory (live, or --core with the core's thread state), every frame symbolicated
// when a kernel is loaded (kext frames by kext name and offset), printed like gdb's `bt`. Unmapped
// or garbage frames end the walk with gdb's "Backtrace stopped: ..."; a failed read (timeout,
// protocol error) is an error with its own exit code, after the frames found before it.
#include <algorithm>
#include <ostream>

#include "cli/command.h"
#include "cli/core/number.h"
#include "cli/core/user_text.h"
#include "cli/core/frame_json.h"
#include "cli/debug_modules.h"
#include "cli/kernel_context.h"
#include "kdp/base/json.h"

#include "kgm/backtrace.h"
#include "kgm/dwarf_frames.h"
#include "kgm/kexts.h"

namespace kdp::cli {
namespace {

void print_json(Invocation& inv, const kgm::Backtrace& bt) {
  JsonWriter j;
  j.begin_object().key("frames").begin_array();
  for (const kgm::Frame& f : bt.frames) write_frame_json(j, f);
  j.end_array().field("stop", kgm::describe(bt.stop)).field("detail", bt.detail);
  inv.out << j.end_object().str() << "\n";
}

// Kext frames as the kmod list names them, "com.apple.driver.X + 0x40" (KextNamer::describe, the
// spelling of showkmodaddr); the symbolizer's "name+0x40" is the one disassembly uses. The user's
// own kexts (--kext) keep their function names.
void spell_kext_frames(kgm::Backtrace& bt, const kgm::KernelContext& ctx, const std::vector<LoadedKext>& own) {
  kgm::KextNamer kexts(ctx);
  for (kgm::Frame& f : bt.frames) {
    if (!f.symbol || ctx.symbols.is_kernel_address(f.pc)) continue;
    if (std::any_of(own.begin(), own.end(), [&f](const LoadedKext& k) { return k.contains(f.pc); })) continue;
    if (auto name = kexts.describe(f.pc); name && *name) f.symbol = **name;
  }
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
    KDP_TRY(wire::X86ThreadState64 regs, target.registers());
    // Beyond gdb's `?? ()`: frames in kexts are named from the kmod list when the kernel's types
    // are known; otherwise (or without --kernel) the kernel file's symbols alone.
    const macho::Symbolizer* symbolizer = target.hooks.symbolizer();
    std::unique_ptr<KernelModel> kernel;
    std::optional<kgm::KernelAndKextSymbolizer> with_kexts;
    std::optional<ModuleSymbolizer> own_kexts_first;
    if (target.hooks.symbol_index() != nullptr) {
      if (auto model = KernelModel::open(target, "bt", inv.global.types)) {
        kernel = std::move(model).value();
        symbolizer = &with_kexts.emplace(kernel->context());
        if (!target.hooks.kexts().empty()) symbolizer = &own_kexts_first.emplace(symbolizer, target.hooks.kexts());
      }
    }
    bt = kgm::walk_frames(regs.rip(), regs.rbp(), target.memory, symbolizer);
    if (kernel) spell_kext_frames(*bt, kernel->context(), target.hooks.kexts());
    // With the kernel's dSYM (or a kext's), frames read as gdb's with debug info: func (arg=value) at file:line.
    add_module_source_frames(*bt, target.hooks, target.memory, regs.rsp());
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
