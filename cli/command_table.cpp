// The command table: every kdpctl subcommand, one accessor per cli/commands/cmd_<name>.cpp.
#include <algorithm>

#include "cli/command.h"

namespace kdp::cli {
namespace {

const std::vector<const CommandSpec*>& table() {
  static const std::vector<const CommandSpec*> commands = [] {
    std::vector<const CommandSpec*> all = {
        &break_command(),
        &bt_command(),
        &connect_command(),
        &continue_command(),
        &decode_command(),
        &delete_command(),
        &detach_command(),
        &dump_command(),
        &dumpinfo_command(),
        &examine_command(),
        &hostinfo_command(),
        &info_command(),
        &list_command(),
        &pcap_command(),
        &print_command(),
        &ptype_command(),
        &reattach_command(),
        &reboot_command(),
        &regs_command(),
        &set_command(),
        &status_command(),
        &step_command(),
        &version_command(),
    };
    for (const CommandSpec* kgmacro : kgmacro_commands()) all.push_back(kgmacro);
    std::sort(all.begin(), all.end(), [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
    return all;
  }();
  return commands;
}

}  // namespace

std::vector<const CommandSpec*> all_commands() { return table(); }

Expected<bool> single_letter_format(const Invocation& inv, char letter, std::string_view meaning) {
  const std::string_view word = inv.word;
  const size_t slash = word.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view format = word.substr(slash + 1);
  if (format.size() == 1 && format[0] == letter) return true;
  return usage_error(std::string(word.substr(0, slash)) + ": unknown format '/" + std::string(format) + "' (only /" +
                     letter + ": " + std::string(meaning) + ")");
}

const CommandSpec* find_command(std::string_view word) {
  const size_t slash = word.find('/');
  const std::string_view name = word.substr(0, slash);
  for (const CommandSpec* c : table())
    if (c->name == name && (slash == std::string_view::npos || c->takes_format)) return c;
  return nullptr;
}

}  // namespace kdp::cli
