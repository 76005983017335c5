#include "cli/shell/completion.h"

#include <algorithm>
#include <cctype>

#include "cli/command.h"

namespace kdp::cli::shell {
namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// Words typed at the prompt that are the shell's own, not commands.
constexpr std::string_view kShellWords[] = {"help", "quit"};

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const CommandSpec* c : all_commands()) names.emplace_back(c->name);
  for (std::string_view w : kShellWords) names.emplace_back(w);
  return names;
}

// `names` that begin with `prefix`, sorted and unique.
std::vector<std::string> starting_with(std::vector<std::string> names, std::string_view prefix) {
  std::erase_if(names, [&](const std::string& n) { return n.compare(0, prefix.size(), prefix) != 0; });
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// The start of the operand that ends at `end` in `text`: names, `.`, `->`, and balanced (...) and
// [...] groups, back to an operator or a blank ("p->task" in "print *p->task").
size_t operand_start(std::string_view text, size_t end) {
  size_t at = end;
  while (at > 0) {
    const char c = text[at - 1];
    if (is_name_char(c) || c == '.') {
      --at;
    } else if (c == '>' && at >= 2 && text[at - 2] == '-') {
      at -= 2;
    } else if (c == ')' || c == ']') {
      const char open = c == ')' ? '(' : '[';
      int depth = 0;
      size_t i = at;
      while (i > 0) {
        --i;
        if (text[i] == c) ++depth;
        if (text[i] == open && --depth == 0) break;
      }
      if (depth != 0) break;
      at = i;
    } else {
      break;
    }
  }
  return at;
}

}  // namespace

std::string common_prefix(const std::vector<std::string>& candidates) {
  if (candidates.empty()) return "";
  std::string prefix = candidates.front();
  for (const std::string& c : candidates) {
    size_t n = 0;
    while (n < prefix.size() && n < c.size() && prefix[n] == c[n]) ++n;
    prefix.resize(n);
  }
  return prefix;
}

const std::vector<std::string>& Completer::symbols() {
  if (!symbols_loaded_) {
    symbols_loaded_ = true;
    if (sources_.symbols) symbols_ = starting_with(sources_.symbols(), "");
  }
  return symbols_;
}

Completion Completer::complete(std::string_view before_cursor) {
  size_t start = before_cursor.size();
  while (start > 0 && is_name_char(before_cursor[start - 1])) --start;
  const std::string_view word = before_cursor.substr(start);
  const bool first_word = before_cursor.substr(0, start).find_first_not_of(" \t") == std::string_view::npos;
  if (first_word) return {start, starting_with(command_names(), word)};
  const std::string_view before_word = before_cursor.substr(0, start);
  size_t operand_end = std::string_view::npos;
  if (before_word.ends_with("->")) operand_end = start - 2;
  if (before_word.ends_with(".")) operand_end = start - 1;
  if (operand_end != std::string_view::npos) {
    const size_t from = operand_start(before_cursor, operand_end);
    if (from == operand_end || !sources_.fields) return {start, {}};
    return {start, starting_with(sources_.fields(std::string(before_cursor.substr(from, operand_end - from))), word)};
  }
  if (word.empty()) return {start, {}};  // every symbol of the kernel is no help
  const std::vector<std::string>& names = symbols();
  auto first = std::lower_bound(names.begin(), names.end(), word);
  std::vector<std::string> found;
  for (auto it = first; it != names.end() && it->compare(0, word.size(), word) == 0; ++it) found.push_back(*it);
  return {start, std::move(found)};
}

}  // namespace kdp::cli::shell
