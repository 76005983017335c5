// The subcommand registry. Each cmd_<name>.cpp describes itself with a CommandSpec and registers
// it from a static CommandRegistrar, so adding a command touches one file and main.cpp only
// dispatches (rr's Command pattern).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "kdp/base/error.h"
#include "tools/kdpctl/invocation.h"

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
  bool takes_format = false;  // the word may carry a "/FMT" suffix (only x does)
};

// All registered commands, sorted by name.
std::vector<const CommandSpec*> all_commands();
// "x/4gx" finds "x" (a "/FMT" suffix only for commands that take one); nullptr when nothing matches.
const CommandSpec* find_command(std::string_view word);

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSpec spec);
};

}  // namespace kdp::cli
