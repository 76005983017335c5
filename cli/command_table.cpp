// The command table: every kdpctl subcommand, one accessor per cli/commands/cmd_<name>.cpp.
#include <algorithm>
#include <optional>
#include <string>

#include "cli/command.h"

namespace kdp::cli {
namespace {

const std::vector<const CommandSpec*>& table() {
  static const std::vector<const CommandSpec*> commands = [] {
    std::vector<const CommandSpec*> all = {
        &agent_command(),
        &break_command(),
        &bt_command(),
        &connect_command(),
        &continue_command(),
        &decode_command(),
        &delete_command(),
        &detach_command(),
        &disassemble_command(),
        &dump_command(),
        &down_command(),
        &dumpinfo_command(),
        &examine_command(),
        &frame_command(),
        &hostinfo_command(),
        &info_command(),
        &kext_command(),
        &list_command(),
        &nexti_command(),
        &pcap_command(),
        &print_command(),
        &ptype_command(),
        &reattach_command(),
        &reboot_command(),
        &regs_command(),
        &set_command(),
        &status_command(),
        &step_command(),
        &switchtoact_command(),
        &tbreak_command(),
        &thread_command(),
        &up_command(),
        &version_command(),
    };
    for (const CommandSpec* kgmacro : kgmacro_commands()) all.push_back(kgmacro);
    std::sort(all.begin(), all.end(), [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
    return all;
  }();
  return commands;
}

struct Alias {
  std::string_view word;
  std::string_view command;
};
// gdb's abbreviations and synonyms, for the commands kdpctl has under another name. (gdb's `s`
// steps a source line; kdpctl's step is an instruction, gdb's `si`.)
constexpr Alias kAliases[] = {
    {"p", "print"},   {"inspect", "print"}, {"c", "continue"}, {"cont", "continue"}, {"b", "break"},
    {"br", "break"},  {"where", "bt"},      {"backtrace", "bt"}, {"si", "step"},      {"stepi", "step"},
    {"d", "delete"},  {"i", "info"},        {"l", "list"},       {"f", "frame"},
    {"disas", "disassemble"}, {"ni", "nexti"},
};

std::string_view command_named(std::string_view name) {
  for (const Alias& a : kAliases)
    if (a.word == name) return a.command;
  return name;
}

// Levenshtein distance, bounded by the short names it compares.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<const CommandSpec*> all_commands() { return table(); }

std::optional<std::string> nearest_command(std::string_view word) {
  const std::string_view name = word.substr(0, word.find('/'));
  if (name.empty() || name.size() > 64) return std::nullopt;
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(2, name.size() / 5) + 1;  // a typo or two, no more
  for (const CommandSpec* c : table()) {
    const size_t d = edit_distance(name, c->name);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c->name);
    }
  }
  return best;
}

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
  const std::string_view name = command_named(word.substr(0, slash));
  for (const CommandSpec* c : table())
    if (c->name == name && (slash == std::string_view::npos || c->takes_format)) return c;
  return nullptr;
}

}  // namespace kdp::cli
