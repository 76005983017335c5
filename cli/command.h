// A kdpctl subcommand. Each cli/commands/cmd_<name>.cpp describes itself with a CommandSpec and
// command_table.cpp lists them, so adding a command touches that file and one table line, and the
// program (tools/kdpctl/main.cpp) only hands argv to run_kdpctl.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/error.h"
#include "cli/invocation.h"

namespace cxxopts {
class Options;
}

namespace kdp::cli {

struct CommandSpec {
  std::string_view name{};     // what the user types first ("x" also matches "x/4gx")
  std::string_view usage{};    // "x/FMT [ADDR]"
  std::string_view summary{};  // one line for `kdpctl --help`
  std::string_view details{};  // extra paragraphs for `kdpctl help NAME` (may be empty)
  std::function<void(cxxopts::Options&)> add_options{};  // command-specific flags (may be empty)
  std::function<Status(Invocation&)> run{};
  bool takes_format = false;  // the word may carry a "/FMT" suffix (x, print/x, ptype/o)
  std::string_view group{};   // `kdpctl --help` heading; empty: the general "Commands"
};

// For commands whose only format is one letter (ptype/o, print/x): true when `inv.word` carries
// "/<letter>", false without a suffix, a usage error naming `meaning` for any other suffix.
Expected<bool> single_letter_format(const Invocation& inv, char letter, std::string_view meaning);

// All registered commands, sorted by name.
std::vector<const CommandSpec*> all_commands();
// "x/4gx" finds "x" (a "/FMT" suffix only for commands that take one), gdb's abbreviations their
// command ("p/x" print, "c" continue, "b" break, "where" bt); nullptr when nothing matches.
const CommandSpec* find_command(std::string_view word);
// For "unknown command": the command a mistyped word was probably meant to be ("showalltask" ->
// "showalltasks"), nullopt when none is close.
std::optional<std::string> nearest_command(std::string_view word);

// The command table (command_table.cpp): one accessor per cli/commands/cmd_<name>.cpp.
const CommandSpec& agent_command();
const CommandSpec& break_command();
const CommandSpec& kext_command();
const CommandSpec& bt_command();
const CommandSpec& connect_command();
const CommandSpec& continue_command();
const CommandSpec& decode_command();
const CommandSpec& delete_command();
const CommandSpec& detach_command();
const CommandSpec& disassemble_command();
const CommandSpec& dump_command();
const CommandSpec& down_command();
const CommandSpec& dumpinfo_command();
const CommandSpec& examine_command();
const CommandSpec& frame_command();
const CommandSpec& hostinfo_command();
const CommandSpec& info_command();
const CommandSpec& list_command();
const CommandSpec& nexti_command();
const CommandSpec& pcap_command();
const CommandSpec& print_command();
const CommandSpec& ptype_command();
const CommandSpec& reattach_command();
const CommandSpec& reboot_command();
const CommandSpec& regs_command();
const CommandSpec& set_command();
const CommandSpec& status_command();
const CommandSpec& step_command();
const CommandSpec& switchtoact_command();
const CommandSpec& tbreak_command();
const CommandSpec& thread_command();
const CommandSpec& up_command();
const CommandSpec& version_command();
// The kgmacros (kgm/commands.h), adapted by cmd_kgmacros.cpp; listed under their own heading.
std::vector<const CommandSpec*> kgmacro_commands();

}  // namespace kdp::cli
