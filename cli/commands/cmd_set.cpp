// kdpctl set disassembly-flavor att|intel: gdb's setting, remembered in the state file for every
// later x/i (--syntax overrides it for one command).
#include <ostream>

#include "cli/command.h"
#include "cli/core/user_text.h"
#include "kdp/base/json.h"

namespace kdp::cli {
namespace {

Status run_set(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(2, 2, "disassembly-flavor att|intel"));
  if (inv.args[0] != "disassembly-flavor")
    return usage_error("set: unknown setting " + quote_user_text(inv.args[0]) + " (disassembly-flavor)");
  const std::string& flavor = inv.args[1];
  if (flavor != "att" && flavor != "intel")
    return usage_error("Undefined item: " + quote_user_text(flavor) + ". (disassembly-flavor is att or intel)");
  KDP_TRY_STATUS(inv.update_state([&](State& now) -> Status {
    now.disassembly_flavor = flavor;
    return {};
  }));
  // gdb's `set` says nothing; --json says what is now set (one document per run).
  if (inv.global.json) inv.out << JsonWriter().begin_object().field("disassembly_flavor", flavor).end_object().str() << "\n";
  return {};
}

const CommandSpec kSet{
    .name = "set",
    .usage = "set disassembly-flavor att|intel",
    .summary = "x/i syntax from now on: att (the default, as gdb and LLDB) or intel",
    .run = run_set,
};

}  // namespace

const CommandSpec& set_command() { return kSet; }
}  // namespace kdp::cli
