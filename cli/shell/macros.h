// gdb's user-defined commands: `define NAME`, its lines, `end`. `NAME ARGS...` then runs those
// lines in turn, with $arg0 ... $arg9 and $argc replaced by the words given (gdb's rules), stopping
// at the first that fails. Names of kdpctl commands (and the shell's own words) cannot be taken.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdp::cli::shell {

class Macros {
 public:
  // Why `name` cannot be defined, or nullopt when it can.
  std::optional<std::string> refusal(std::string_view name) const;
  void define(const std::string& name, std::vector<std::string> body) { bodies_[name] = std::move(body); }
  const std::vector<std::string>* find(std::string_view name) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> bodies_;
};

// `line` with $argc and $arg0 ... $arg9 replaced by `args` (a $argN beyond them stays as typed).
std::string substitute_args(std::string_view line, const std::vector<std::string>& args);

}  // namespace kdp::cli::shell
