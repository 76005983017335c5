#include "cli/shell/shell_loop.h"

#include <optional>
#include <ostream>

#include "cli/core/exit_codes.h"
#include "cli/shell/macros.h"
#include "cli/shell/repeat.h"
#include "cli/shell/words.h"

namespace kdp::cli::shell {
namespace {

bool leaves(const std::vector<std::string>& words) {
  return words.size() == 1 && (words[0] == "quit" || words[0] == "q");
}

bool is_empty(const std::string& line) { return split_words(line).empty(); }

// Macros calling macros: deeper than this is a recursion that would never end.
constexpr int kDeepestMacro = 16;

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
    if (words.front() == "define") return define(words, line);
    return run_words(words, line);
  }

  // `define NAME`: the lines up to `end` become NAME's body.
  std::optional<int> define(const std::vector<std::string>& words, const std::string& line) {
    std::optional<std::string> refused = words.size() == 2 ? macros_.refusal(words[1])
                                                           : std::optional<std::string>("define: expected one NAME");
    if (options_.interactive && !refused)
      out_ << "Type commands for definition of \"" << words[1] << "\".\nEnd with a line saying just \"end\".\n"
           << std::flush;
    std::vector<std::string> body;
    lines_.set_continuation(true);
    InputLine input;
    for (input = lines_.read_line(); input.kind == InputLine::Kind::kLine; input = lines_.read_line()) {
      ++line_number_;
      if (options_.interactive) lines_.remember(input.text);
      if (split_words(input.text) == std::vector<std::string>{"end"}) break;
      body.push_back(input.text);
    }
    lines_.set_continuation(false);
    if (input.kind != InputLine::Kind::kLine && !refused) refused = "define " + words[1] + ": no \"end\"";
    if (!refused) {
      macros_.define(words[1], std::move(body));
      return std::nullopt;
    }
    if (input.kind == InputLine::Kind::kInterrupted) return std::nullopt;  // ^C abandons the definition
    err_ << "kdpctl: " << *refused << "\n";
    return failed(kExitUsage, line);
  }

  std::optional<int> run_words(std::vector<std::string> words, const std::string& line) {
    const int code = run_one(words, 0);
    last_repeat_ = repeat_of(words);
    return failed(code, line);
  }

  // A script ends at a failing line; the prompt goes on.
  std::optional<int> failed(int code, const std::string& line) {
    if (code == kExitOk || options_.interactive) return std::nullopt;
    err_ << options_.source_name << ":" << line_number_ << ": Error in sourced command file: " << line << "\n";
    return code;
  }

  // A macro's lines in turn, its arguments in place; the first failure is the macro's.
  int run_macro(const std::vector<std::string>& body, const std::vector<std::string>& words, int depth) {
    if (depth == kDeepestMacro) {
      err_ << "kdpctl: " << words.front() << ": macros nested deeper than " << kDeepestMacro << " (a recursion?)\n";
      return kExitUsage;
    }
    const std::vector<std::string> args(words.begin() + 1, words.end());
    for (const std::string& line : body) {
      if (is_blank_or_comment(line)) continue;
      const int code = run_one(split_words(substitute_args(line, args)), depth + 1);
      if (code != kExitOk) return code;
    }
    return kExitOk;
  }

  int run_one(const std::vector<std::string>& words, int depth) {
    if (words.empty()) return kExitOk;  // a macro line whose arguments were all empty
    if (words.front() == "shell" || words.front() == "define") {
      err_ << (words.front() == "shell" ? "kdpctl: already in the shell\n" : "kdpctl: define: not inside a macro\n");
      return kExitUsage;
    }
    if (const std::vector<std::string>* body = macros_.find(words.front())) return run_macro(*body, words, depth);
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
  Macros macros_;
};

}  // namespace

int run_loop(LineSource& lines, const CommandRunner& run, std::ostream& out, std::ostream& err,
             const LoopOptions& options) {
  return Loop(lines, run, out, err, options).run();
}

}  // namespace kdp::cli::shell
