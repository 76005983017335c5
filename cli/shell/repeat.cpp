#include "cli/shell/repeat.h"

#include <string_view>

#include "cli/command.h"

namespace kdp::cli::shell {
namespace {

// Commands that move the kernel on: repeated unchanged (gdb's si, c).
bool resumes(std::string_view name) { return name == "step" || name == "continue" || name == "next" || name == "nexti"; }

}  // namespace

std::optional<std::vector<std::string>> repeat_of(const std::vector<std::string>& words) {
  if (words.empty()) return std::nullopt;
  const CommandSpec* spec = find_command(words.front());
  if (!spec) return std::nullopt;
  if (spec->name == "x") return std::vector<std::string>{words.front()};
  if (resumes(spec->name)) return words;
  return std::nullopt;
}

}  // namespace kdp::cli::shell
