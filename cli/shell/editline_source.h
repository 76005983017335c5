// The prompt on a terminal: libedit (BSD editline) reads the line, with emacs keys (and the user's
// ~/.editrc), the history (up-arrow, ^R) and Tab completion from a Completer. ^C at the prompt
// drops the line typed so far; ^D on an empty line is the end of input.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/shell/completion.h"
#include "cli/shell/line_source.h"

namespace kdp::cli::shell {

struct EditorSetup {
  std::function<std::string()> prompt;  // asked before each line: the prompt may change
  Completer* completer = nullptr;
  std::vector<std::string> history;  // earlier runs' lines, oldest first
  // Called with every line remembered (the shell saves its history file there).
  std::function<void(const std::string& line)> remembered;
};

class EditLineSource : public LineSource {
 public:
  explicit EditLineSource(EditorSetup setup);
  ~EditLineSource() override;
  EditLineSource(const EditLineSource&) = delete;
  EditLineSource& operator=(const EditLineSource&) = delete;

  InputLine read_line() override;
  void remember(const std::string& line) override;
  void set_continuation(bool on) override;

 private:
  struct Editor;
  std::unique_ptr<Editor> editor_;
};

}  // namespace kdp::cli::shell
