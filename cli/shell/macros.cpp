#include "cli/shell/macros.h"

#include <cctype>

#include "cli/command.h"

namespace kdp::cli::shell {
namespace {

bool is_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

}  // namespace

std::optional<std::string> Macros::refusal(std::string_view name) const {
  if (!is_name(name)) return "define: \"" + std::string(name) + "\" is not a command name (letters, digits, _ and -)";
  if (find_command(name) || name == "define" || name == "end" || name == "quit" || name == "q" || name == "help" ||
      name == "shell")
    return "define: " + std::string(name) + " is a kdpctl command; choose another name";
  return std::nullopt;
}

const std::vector<std::string>* Macros::find(std::string_view name) const {
  const auto it = bodies_.find(name);
  return it == bodies_.end() ? nullptr : &it->second;
}

std::string substitute_args(std::string_view line, const std::vector<std::string>& args) {
  std::string out;
  size_t at = 0;
  while (at < line.size()) {
    if (line.compare(at, 5, "$argc") == 0) {
      out += std::to_string(args.size());
      at += 5;
    } else if (line.compare(at, 4, "$arg") == 0 && at + 4 < line.size() &&
               std::isdigit(static_cast<unsigned char>(line[at + 4])) && static_cast<size_t>(line[at + 4] - '0') < args.size()) {
      out += args[static_cast<size_t>(line[at + 4] - '0')];
      at += 5;
    } else {
      out += line[at++];
    }
  }
  return out;
}

}  // namespace kdp::cli::shell
