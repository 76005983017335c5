#include <algorithm>
#include <deque>

#include "tools/kdpctl/command.h"

namespace kdp::cli {
namespace {

// A function-local static: registrars in other translation units run during static
// initialisation, in no particular order, and must find the registry already constructed.
std::deque<CommandSpec>& registry() {
  static std::deque<CommandSpec> commands;
  return commands;
}

}  // namespace

CommandRegistrar::CommandRegistrar(CommandSpec spec) { registry().push_back(std::move(spec)); }

std::vector<const CommandSpec*> all_commands() {
  std::vector<const CommandSpec*> out;
  for (const CommandSpec& c : registry()) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  return out;
}

const CommandSpec* find_command(std::string_view word) {
  const size_t slash = word.find('/');
  const std::string_view name = word.substr(0, slash);
  for (const CommandSpec& c : registry())
    if (c.name == name && (slash == std::string_view::npos || c.takes_format)) return &c;
  return nullptr;
}

}  // namespace kdp::cli
