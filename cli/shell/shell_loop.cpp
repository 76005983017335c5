#include "cli/shell/shell_loop.h"

#include <optional>
#include <ostream>

#include "cli/core/exit_codes.h"
#include "cli/shell/repeat.h"
#include "cli/shell/words.h"

namespace kdp::cli::shell {
namespace {

bool leaves(const std::vector<std::string>& words) {
  return words.size() == 1 && (words[0] == "quit" || words[0] == "q");
}

bool is_empty(const std::string& line) { return split_words(line).empty(); }

class Loop {
 public:
  Loop(LineSource& lines, const CommandRunner& run, std::ostream& out, std::ostream& err, const LoopOptions& options)
      : lines_(lines), run_(run), out_(out), err_(err), options_(options) {}

  int run() {
    for (;;) {
      const InputLine input = lines_.read_line();
      if (input.kind == InputLine::Kind::kEnd) return kExitOk;
      if (input.kind == InputLine::Kind::kInterrupted) continue;
      ++line_number_;
      if (input.kind == InputLine::Kind::kError) {
        err_ << "kdpctl: " << options_.source_name << ":" << line_number_ << ": " << input.text << "\n";
        return kExitUsage;
      }
      if (std::optional<int> stop = take(input.text)) return *stop;
    }
  }

 private:
  // One line; a value when the loop ends with it.
  std::optional<int> take(const std::string& line) {
    if (is_blank_or_comment(line)) {
      if (options_.interactive && is_empty(line) && last_repeat_) return run_words(*last_repeat_, line);
      return std::nullopt;
    }
    const std::vector<std::string> words = split_words(line);
    if (options_.interactive) lines_.remember(line.substr(0, line.find_last_not_of(" \t") + 1));
    if (leaves(words)) return kExitOk;
    return run_words(words, line);
  }

  std::optional<int> run_words(std::vector<std::string> words, const std::string& line) {
    const int code = run_one(words);
    last_repeat_ = repeat_of(words);
    if (code == kExitOk || options_.interactive) return std::nullopt;
    err_ << options_.source_name << ":" << line_number_ << ": Error in sourced command file: " << line << "\n";
    return code;
  }

  int run_one(const std::vector<std::string>& words) {
    if (words.front() == "shell") {
      err_ << "kdpctl: already in the shell\n";
      return kExitUsage;
    }
    const int code = run_(words);
    if (words.size() == 1 && words[0] == "help") out_ << options_.help_text;
    return code;
  }

  LineSource& lines_;
  const CommandRunner& run_;
  std::ostream& out_;
  std::ostream& err_;
  const LoopOptions& options_;
  size_t line_number_ = 0;
  std::optional<std::vector<std::string>> last_repeat_;
};

}  // namespace

int run_loop(LineSource& lines, const CommandRunner& run, std::ostream& out, std::ostream& err,
             const LoopOptions& options) {
  return Loop(lines, run, out, err, options).run();
}

}  // namespace kdp::cli::shell
