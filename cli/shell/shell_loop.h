// The shell's loop, without a terminal: lines from a LineSource, each run as one kdpctl command
// line by a CommandRunner (the real one runs it as `kdpctl GLOBAL-OPTIONS WORDS...` would).
//
// Interactive (the prompt): a failing command prints its error and the loop goes on; an empty line
// repeats the last command as gdb does (repeat.h); `quit`/`q` or the end of input leaves, exit 0.
// A script (`-x FILE`, `kdpctl < FILE`): blank lines and `#` comments are skipped, nothing
// repeats, and the first failing command ends the run, as in gdb: "FILE:N: Error in sourced
// command file" on stderr and the command's own exit code.
// Both: `define NAME` ... `end` makes a user command (macros.h), as in gdb.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/shell/line_source.h"

namespace kdp::cli::shell {

// Runs one command's words; its output and error text go wherever the runner prints them.
// Returns the command's exit code (core/exit_codes.h).
using CommandRunner = std::function<int(const std::vector<std::string>& words)>;

struct LoopOptions {
  bool interactive = true;
  std::string source_name;  // a script's name in its error line ("cmds.gdb", "<stdin>")
  std::string help_text;    // what `help` adds after the command list: the shell's own keys
};

// `out` gets the help text after `help`'s list, `err` the shell's own errors.
int run_loop(LineSource& lines, const CommandRunner& run, std::ostream& out, std::ostream& err,
             const LoopOptions& options);

}  // namespace kdp::cli::shell
