// A shell line as a command's words. No quote or `$` processing: the words reach kdpctl as typed,
// the way gdb reads its lines (`x/20wx $rsp` keeps its `$rsp`), and commands that take an
// expression join their words back with spaces.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kdp::cli::shell {

std::vector<std::string> split_words(std::string_view line);

// A line with nothing to run: blank, or a comment (`#` as its first non-blank character).
bool is_blank_or_comment(std::string_view line);

}  // namespace kdp::cli::shell
