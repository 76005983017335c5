// kdpctl set disassembly-flavor att|intel: gdb's setting, remembered in the state file for every
// later x/i (--syntax overrides it for one command).
#include <ostream>

#include "cli/command.h"

namespace kdp::cli {
namespace {

Status run_set(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(2, 2, "disassembly-flavor att|intel"));
  if (inv.args[0] != "disassembly-flavor")
    return usage_error("set: unknown setting \"" + inv.args[0] + "\" (disassembly-flavor)");
  const std::string& flavor = inv.args[1];
  if (flavor != "att" && flavor != "intel")
    return usage_error("Undefined item: \"" + flavor + "\". (disassembly-flavor is att or intel)");
  KDP_TRY(State state, inv.load_state());
  state.disassembly_flavor = flavor;
  return inv.save_state(state);
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
