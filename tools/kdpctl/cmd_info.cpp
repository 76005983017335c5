// kdpctl info breakpoints | info registers: gdb's spellings.
#include <ostream>

#include "tools/kdpctl/command.h"
#include "tools/kdpctl/core/breakpoints.h"
#include "tools/kdpctl/core/json.h"

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

Status run_info(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(1, 1, "breakpoints|registers"));
  const std::string what = inv.args[0];
  inv.args.clear();
  // gdb accepts any prefix: info b, info break, info reg.
  if (std::string_view("breakpoints").starts_with(what) && !what.empty()) return info_breakpoints(inv);
  if (std::string_view("registers").starts_with(what) && !what.empty()) return find_command("regs")->run(inv);
  return usage_error("info: unknown topic \"" + what + "\" (breakpoints, registers)");
}

const CommandRegistrar kInfo({
    .name = "info",
    .usage = "info breakpoints|registers",
    .summary = "list the breakpoints (no target needed), or the registers (same as regs)",
    .run = run_info,
});

}  // namespace
}  // namespace kdp::cli
