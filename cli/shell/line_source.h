// Where the shell's lines come from: a terminal through the line editor (editline_source.h), a
// script file, or stdin; the tests give a fake one. The loop (shell_loop.h) never sees a tty.
#pragma once

#include <string>

namespace kdp::cli::shell {

struct InputLine {
  enum class Kind {
    kLine,         // `text` holds the line, without its newline
    kInterrupted,  // ^C at the prompt: the line typed so far is dropped
    kEnd,          // end of input (^D on an empty line, end of the file)
    kError,        // a line that cannot be read (`text` says why): a script ends there
  };
  Kind kind = Kind::kEnd;
  std::string text;
};

class LineSource {
 public:
  virtual ~LineSource() = default;
  virtual InputLine read_line() = 0;
  // A line the user ran, for the history (up-arrow, the history file); scripts keep none.
  virtual void remember(const std::string& /*line*/) {}
  // While a `define` body is typed: the prompt says the line belongs to it (gdb's ">").
  virtual void set_continuation(bool /*on*/) {}
};

}  // namespace kdp::cli::shell
