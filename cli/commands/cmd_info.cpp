// kdpctl info breakpoints | info registers: gdb's spellings.
#include <ostream>

#include "cli/command.h"
#include "cli/core/breakpoints.h"
#include "cli/core/user_text.h"
#include "kdp/base/json.h"
#include "cli/target_memory.h"

namespace kdp::cli {
namespace {

Status info_breakpoints(Invocation& inv) {
  KDP_TRY(State state, inv.load_state());
  if (!inv.global.json) {
    // Names would need the kernel's slide, which only a session knows; the table stays numeric.
    for (const std::string& line : format_breakpoint_table(state.breakpoints, {})) inv.out << line << "\n";
    return {};
  }
  JsonWriter j;
  j.begin_object().key("breakpoints").begin_array();
  for (const Breakpoint& bp : state.breakpoints.entries())
    j.begin_object().field("number", bp.number).hex_field("address", bp.address).field("hits", bp.hits).end_object();
  inv.out << j.end_array().end_object().str() << "\n";
  return {};
}

// gdb's `info symbol ADDR`: "kext_alloc + 16" (gdb adds "in section .text"). On a live target the
// running kernel's UUID and slide decide whether the --kernel file applies; offline (--core, or
// the kernel file alone) its addresses are the file's.
Status info_symbol(Invocation& inv, const std::string& expression) {
  KDP_TRY(State state, inv.load_state());
  uint64_t address = 0;
  std::optional<SymbolHit> hit;
  const TargetWork work = [&](TargetView& target) -> Status {
    if (target.hooks.refused()) return target.hooks.refused()->context("info symbol needs the kernel's symbols");
    if (!target.hooks.symbols()) return usage_error("info symbol needs the kernel file: give --kernel PATH");
    KDP_TRY(address, resolve_address(expression, target.hooks));
    hit = target.hooks.symbols()(address);
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().hex_field("address", address);
    if (hit) j.field("symbol", hit->name).field("offset", hit->offset);
    inv.out << j.end_object().str() << "\n";
  } else if (!hit) {
    inv.out << "No symbol matches " << printable_message(expression, kMaxQuotedBytes) << ".\n";
  } else {
    inv.out << hit->name;
    if (hit->offset != 0) inv.out << " + " << hit->offset;
    inv.out << "\n";
  }
  return {};
}

Status run_info(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(1, 2, "breakpoints|registers|symbol ADDR"));
  const std::string what = inv.args[0];
  if (what == "symbol") {
    if (inv.args.size() != 2) return usage_error("usage: info symbol ADDR");
    const std::string expression = inv.args[1];
    inv.args.clear();
    return info_symbol(inv, expression);
  }
  inv.args.clear();
  // gdb accepts any prefix: info b, info break, info reg.
  if (std::string_view("breakpoints").starts_with(what) && !what.empty()) return info_breakpoints(inv);
  if (std::string_view("registers").starts_with(what) && !what.empty()) return find_command("regs")->run(inv);
  return usage_error("info: unknown topic " + quote_user_text(what) + " (breakpoints, registers, symbol ADDR)");
}

const CommandSpec kInfo{
    .name = "info",
    .usage = "info breakpoints|registers|symbol ADDR",
    .summary = "list the breakpoints (no target needed), the registers (same as regs), or the symbol at ADDR",
    .run = run_info,
};

}  // namespace

const CommandSpec& info_command() { return kInfo; }
}  // namespace kdp::cli
