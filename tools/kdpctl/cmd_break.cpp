// kdpctl break ADDR: a breakpoint kept in the state file; `continue` inserts it.
#include <ostream>

#include "tools/kdpctl/command.h"
#include "tools/kdpctl/core/examine.h"
#include "kdp/base/json.h"
#include "tools/kdpctl/core/number.h"
#include "tools/kdpctl/kernel_hooks.h"
#include "tools/kdpctl/session_open.h"

namespace kdp::cli {
namespace {

Status run_break(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(1, 1, "ADDR"));
  KDP_TRY(State state, inv.load_state());
  std::unique_ptr<KernelHooks> hooks;
  uint64_t address = 0;
  const SessionWork work = [&](client::Session& session) -> Status {
    KDP_TRY(hooks, load_kernel_hooks(inv, state, &session));
    KDP_TRY(address, resolve_address(inv.args[0], *hooks));
    // The kernel accepts a breakpoint on any address (spec §4.10) and the int3 would only fail at
    // `continue`; reading the byte now catches a mistyped address while the user is still here.
    KDP_TRY(Bytes byte, session.read_memory_partial(address, 1));
    if (byte.empty()) return cannot_access(address).context("Cannot insert breakpoint at " + hex(address));
    return {};
  };
  KDP_TRY(auto session, open_session(inv, state, AttachKind::kReattach, work));
  KDP_TRY(Breakpoint bp, state.breakpoints.add(address));
  KDP_TRY_STATUS(inv.save_state(state));
  if (inv.global.json) {
    JsonWriter j;
    inv.out << j.begin_object().field("number", bp.number).hex_field("address", address).end_object().str() << "\n";
    return {};
  }
  inv.out << "Breakpoint " << bp.number << " at " << gdb_address(address, hooks->symbols()) << "\n";
  return {};
}

const CommandRegistrar kBreak({
    .name = "break",
    .usage = "break ADDR",
    .summary = "set a breakpoint (kept in the state file, inserted by continue)",
    .details = "REATTACH makes the kernel forget its breakpoints, so kdpctl keeps them: `continue` inserts\n"
               "them all, steps over the one at the current RIP first, and takes them out again once the\n"
               "kernel stops. `info breakpoints` lists them, `delete ADDR` removes one.",
    .run = run_break,
});

}  // namespace
}  // namespace kdp::cli
