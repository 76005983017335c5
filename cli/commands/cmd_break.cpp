// kdpctl break ADDR: a breakpoint kept in the state file; `continue` inserts it.
#include <algorithm>
#include <cctype>
#include <ostream>

#include "cli/command.h"
#include "kgm/memory_read.h"
#include "cli/core/examine.h"
#include "kdp/base/json.h"
#include "cli/core/number.h"
#include "cli/debug_modules.h"
#include "cli/kernel_hooks.h"
#include "cli/session_open.h"
#include "kgm/dwarf_info.h"

namespace kdp::cli {
namespace {

bool is_identifier(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// `break FUNC` with the kernel's dSYM (or a kext's) breaks where gdb does: past the function's
// prologue, where its arguments are in their frame slots (kgm::DwarfInfo::after_prologue). An
// address or any other expression is taken as it is.
uint64_t breakpoint_address(const std::string& text, uint64_t resolved, const KernelHooks& hooks) {
  if (!is_identifier(text)) return resolved;
  auto f = function_named(hooks, text);
  if (!f || f->function.low_pc + f->module.slide != resolved) return resolved;
  auto body = f->module.dwarf->after_prologue(f->function);
  return body ? *body + f->module.slide : resolved;
}

// gdb's "Breakpoint 1 at 0x…: file kext_alloc.c, line 107." when a dSYM knows the line.
std::string where(uint64_t address, const KernelHooks& hooks) {
  if (auto module = module_at(hooks, address))
    if (auto line = module->dwarf->line_at(address - module->slide))
      return hex(address) + ": file " + line->source.file + ", line " + std::to_string(line->source.line) + ".";
  return gdb_address(address, hooks.symbols());
}

Status set_breakpoint(Invocation& inv, bool temporary) {
  KDP_TRY_STATUS(inv.expect_args(1, 1, "ADDR"));
  KDP_TRY(State state, inv.load_state());
  std::unique_ptr<KernelHooks> hooks;
  uint64_t address = 0;
  const SessionWork work = [&](client::Session& session) -> Status {
    KDP_TRY(hooks, load_kernel_hooks(inv, state, &session));
    // gdb's `break *EXPR`: the address EXPR computes, not the word stored there.
    const std::string_view text = inv.args[0].starts_with("*") ? std::string_view(inv.args[0]).substr(1) : inv.args[0];
    KDP_TRY(uint64_t resolved, resolve_address(text, *hooks));
    address = breakpoint_address(inv.args[0], resolved, *hooks);
    // The kernel accepts a breakpoint on any address (spec §4.10) and the int3 would only fail at
    // `continue`; reading the byte now catches a mistyped address while the user is still here.
    KDP_TRY(Bytes byte, session.read_memory_partial(address, 1));
    if (byte.empty()) return kgm::cannot_access(address).context("Cannot insert breakpoint at " + hex(address));
    return {};
  };
  KDP_TRY(auto session, open_session(inv, state, AttachKind::kReattach, work));
  // The number comes from the state as it is on disk now: another kdpctl may have added one.
  Breakpoint bp;
  KDP_TRY_STATUS(inv.update_state([&](State& now) -> Status {
    KDP_TRY(bp, now.breakpoints.add(address, temporary));
    return {};
  }));
  if (inv.global.json) {
    JsonWriter j;
    inv.out << j.begin_object().field("number", bp.number).hex_field("address", address).field("temporary", temporary)
                   .end_object().str() << "\n";
    return {};
  }
  inv.out << (temporary ? "Temporary breakpoint " : "Breakpoint ") << bp.number << " at " << where(address, *hooks) << "\n";
  return {};
}

Status run_break(Invocation& inv) { return set_breakpoint(inv, false); }
Status run_tbreak(Invocation& inv) { return set_breakpoint(inv, true); }

const CommandSpec kBreak{
    .name = "break",
    .usage = "break ADDR",
    .summary = "set a breakpoint (kept in the state file, inserted by continue)",
    .details = "REATTACH makes the kernel forget its breakpoints, so kdpctl keeps them: `continue` inserts\n"
               "them all, steps over the one at the current RIP first, and takes them out again once the\n"
               "kernel stops. `info breakpoints` lists them, `delete ADDR` removes one.",
    .run = run_break,
};

const CommandSpec kTbreak{
    .name = "tbreak",
    .usage = "tbreak ADDR",
    .summary = "set a temporary breakpoint: deleted when the kernel stops on it (gdb's tbreak)",
    .run = run_tbreak,
};

}  // namespace

const CommandSpec& break_command() { return kBreak; }
const CommandSpec& tbreak_command() { return kTbreak; }
}  // namespace kdp::cli
