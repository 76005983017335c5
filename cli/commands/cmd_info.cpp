// kdpctl info breakpoints | registers | symbol ADDR | line ADDR|FUNC: gdb's spellings.
#include <ostream>

#include "cli/command.h"
#include "cli/frame_commands.h"
#include "cli/core/breakpoints.h"
#include "cli/core/user_text.h"
#include "cli/debug_info.h"
#include "cli/source_location.h"
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

// gdb's `info line`: 'Line 107 of "kext_alloc.c" starts at address 0x… <kext_alloc+23> and ends at
// 0x… <kext_alloc+35>.' from the dSYM's line table.
Status info_line(Invocation& inv, const std::string& location) {
  KDP_TRY(State state, inv.load_state());
  std::string text;
  const TargetWork work = [&](TargetView& target) -> Status {
    if (target.hooks.debug_modules().empty()) return no_debug_info("info line");
    KDP_TRY(SourceSpot spot, resolve_spot(location, target.hooks));
    if (!spot.range) return usage_error("info line: give an address or a function, not FILE:LINE");
    if (inv.global.json) {
      JsonWriter j;
      j.begin_object().field("file", spot.source.file).field("full_path", spot.source.full_path);
      j.field("line", spot.source.line).hex_field("start", spot.range->start).hex_field("end", spot.range->end);
      if (spot.function) j.field("function", spot.function->name);
      text = j.end_object().str() + "\n";
      return {};
    }
    text = "Line " + std::to_string(spot.source.line) + " of \"" + spot.source.file + "\" starts at address " +
           address_with_symbol(spot.range->start, target.hooks) + " and ends at " +
           address_with_symbol(spot.range->end, target.hooks) + ".\n";
    return {};
  };
  if (names_register(location))
    KDP_TRY_STATUS(with_target_memory(inv, state, work));
  else
    KDP_TRY_STATUS(with_kernel_file_memory(inv, state, work));
  inv.out << text;
  return {};
}

Status run_info(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(1, 64, "breakpoints|registers [NAME...]|symbol ADDR|line ADDR|FUNC|frame|threads"));
  const std::string what = inv.args[0];
  if (what == "line") {
    if (inv.args.size() != 2) return usage_error("usage: info line ADDR|*ADDR|FUNC");
    const std::string location = inv.args[1];
    inv.args.clear();
    return info_line(inv, location);
  }
  if (what == "symbol") {
    if (inv.args.size() != 2) return usage_error("usage: info symbol ADDR");
    const std::string expression = inv.args[1];
    inv.args.clear();
    return info_symbol(inv, expression);
  }
  // gdb accepts any prefix: info b, info break, info reg.
  if (std::string_view("registers").starts_with(what) && !what.empty()) {
    inv.args.erase(inv.args.begin());  // the register names, if any
    return find_command("regs")->run(inv);
  }
  if (inv.args.size() > 1) return usage_error("info " + what + ": unexpected argument " + quote_user_text(inv.args[1]));
  inv.args.clear();
  if (std::string_view("breakpoints").starts_with(what) && !what.empty()) return info_breakpoints(inv);
  if (std::string_view("frame").starts_with(what) && !what.empty()) return info_frame(inv);
  if (std::string_view("threads").starts_with(what) && what.size() >= 2) return info_threads(inv);
  return usage_error("info: unknown topic " + quote_user_text(what) +
                     " (breakpoints, registers, symbol ADDR, line ADDR|FUNC, frame, threads)");
}

const CommandSpec kInfo{
    .name = "info",
    .usage = "info breakpoints|registers [NAME...]|symbol ADDR|line ADDR|FUNC|frame|threads",
    .summary = "list the breakpoints (no target needed), the registers (same as regs), the symbol at ADDR, "
               "the source line at ADDR or FUNC (needs the kernel's dSYM), the selected frame, or the kernel's threads",
    .run = run_info,
};

}  // namespace

const CommandSpec& info_command() { return kInfo; }
}  // namespace kdp::cli
