// gdb's Enter: an empty line at the prompt runs the last command again when that command repeats
// in gdb. `x/4gx ADDR` repeats as `x/4gx`, which goes on after the last address shown (kdpctl's x
// keeps it in the state file); step and continue (si, stepi, c, ...) repeat as typed. Other
// commands do not repeat: an empty line after `break` or `delete` does nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kdp::cli::shell {

// What an empty line after `words` runs; nullopt when that command does not repeat.
std::optional<std::vector<std::string>> repeat_of(const std::vector<std::string>& words);

}  // namespace kdp::cli::shell
