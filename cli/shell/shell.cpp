#include "cli/shell/shell.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/core/exit_codes.h"
#include "cli/core/state.h"
#include "cli/dispatch.h"
#include "cli/interrupt.h"
#include "cli/session_provider.h"
#include "cli/shell/editline_source.h"
#include "cli/shell/history_file.h"
#include "cli/shell/kernel_names.h"
#include "cli/shell/shell_loop.h"
#include "cli/shell/stream_source.h"
#include "kdp/base/bytes.h"

namespace kdp::cli::shell {
namespace {

constexpr const char* kShellHelp =
    "\nIn the shell: Enter on an empty line repeats x (at the next address), step and continue;\n"
    "Tab completes commands, symbols and fields after -> or .; Up/Down and ^R search the history;\n"
    "^C stops the running command; define NAME ... end makes a command of lines ($arg0.., $argc);\n"
    "quit, q or ^D leaves.\n";

// Runs one line's words as `kdpctl GLOBAL-OPTIONS WORDS...`.
CommandRunner runner_for(const ShellStart& start, Invocation& inv) {
  return [&start, &inv](const std::vector<std::string>& words) {
    std::vector<const char*> argv;
    for (const std::string& w : start.command_line) argv.push_back(w.c_str());
    for (const std::string& w : words) argv.push_back(w.c_str());
    CliContext context = *inv.context;
    context.install_sigint = false;  // the shell's handler stays; only the flag is cleared
    context.may_open_shell = false;
    const int code = run_kdpctl(static_cast<int>(argv.size()), argv.data(), inv.out, inv.err, context);
    inv.out.clear();  // a failed write is that command's error; the next one tries again
    return code;
  };
}

// The history file's lines, each command added to the file after it runs (to the file as it is
// then, so another shell's lines stay); when it cannot be kept the shell says so once and keeps
// this run's lines only.
class KeptHistory {
 public:
  explicit KeptHistory(std::ostream& err) : err_(err) {
    auto path = default_history_path(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
    if (!path) return;
    path_ = *path;
    auto lines = load_history(path_);
    if (lines) lines_ = std::move(*lines);
    else give_up(lines.error());
  }
  const std::vector<std::string>& lines() const { return lines_; }
  void add(const std::string& line) {
    if (!lines_.empty() && lines_.back() == line) return;  // as the editor's history keeps it
    lines_.push_back(line);
    if (lines_.size() > 2 * kHistoryLines) lines_.erase(lines_.begin(), lines_.end() - kHistoryLines);
    if (path_.empty()) return;
    if (Status saved = append_history(path_, line); !saved) give_up(saved.error());
  }

 private:
  void give_up(const Error& why) {
    err_ << "kdpctl: " << why.message() << " (history kept for this run only)\n";
    path_.clear();
  }
  std::ostream& err_;
  std::string path_;
  std::vector<std::string> lines_;
};

int run_prompt(Invocation& inv, const CommandRunner& run) {
  KeptHistory history(inv.err);
  Completer completer(kernel_names(inv));
  // The state file is the session's memory between commands; a state that cannot be read shows
  // the plain prompt (the next command reports why).
  const auto prompt = [&inv] {
    Expected<State> state = inv.load_state();
    return prompt_text(state ? state->selection : std::nullopt);
  };
  EditLineSource editor({prompt, &completer, history.lines(),
                         [&history](const std::string& line) { history.add(line); }});
  LoopOptions options{true, "", kShellHelp};
  return run_loop(editor, run, inv.out, inv.err, options);
}

int run_script(const ShellStart& start, Invocation& inv, const CommandRunner& run) {
  LoopOptions options{false, start.script.value_or("<stdin>"), ""};
  if (!start.script) {
    StreamLineSource lines(std::cin);
    return run_loop(lines, run, inv.out, inv.err, options);
  }
  struct stat st {};
  std::ifstream file;
  if (::stat(start.script->c_str(), &st) == 0 && S_ISDIR(st.st_mode)) errno = EISDIR;
  else file.open(*start.script, std::ios::binary);
  if (!file.is_open()) {
    inv.err << "kdpctl: cannot read the script " << *start.script << ": " << std::strerror(errno) << "\n";
    return kExitUsage;
  }
  StreamLineSource lines(file);
  return run_loop(lines, run, inv.out, inv.err, options);
}

bool stdin_is_script() {
  struct stat st {};
  return ::fstat(0, &st) == 0 && (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

// argv without `-x FILE` (or -xFILE, --x FILE, --x=FILE) and the `shell` word.
std::vector<std::string> lines_command_line(int argc, const char* const* argv) {
  std::vector<std::string> kept;
  bool shell_dropped = false;
  for (int i = 0; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (i > 0 && (word == "-x" || word == "--x")) {
      ++i;
      continue;
    }
    if (i > 0 && (word.starts_with("-x") || word.starts_with("--x="))) continue;
    if (i > 0 && word == "shell" && !shell_dropped) {
      shell_dropped = true;
      continue;
    }
    kept.emplace_back(word);
  }
  return kept;
}

}  // namespace

Expected<std::optional<ShellStart>> shell_start(int argc, const char* const* argv,
                                                const std::vector<std::string>& words,
                                                const std::optional<std::string>& script) {
  const bool shell_word = words.size() == 1 && words[0] == "shell";
  if (script && !words.empty() && !shell_word)
    return usage_error("-x FILE runs the commands in FILE; give no command with it (got " + words[0] + ")");
  if (!script && !shell_word && !words.empty()) return std::optional<ShellStart>();
  const bool terminal = ::isatty(0) == 1;
  if (!script && !shell_word && !terminal && !stdin_is_script()) return std::optional<ShellStart>();
  return std::optional<ShellStart>(ShellStart{lines_command_line(argc, argv), script, !script && terminal});
}

std::string prompt_text(const std::optional<Selection>& selection) {
  if (!selection || !selection->thread) return "(kdpctl) ";
  const SelectedThread& t = *selection->thread;
  return "(kdpctl thread " + (t.number != 0 ? std::to_string(t.number) : hex(t.thread)) + ") ";
}

int run_shell(const ShellStart& start, Invocation& inv) {
  install_interrupt_handler();
  const CommandRunner run = runner_for(start, inv);
  return start.interactive ? run_prompt(inv, run) : run_script(start, inv, run);
}

}  // namespace kdp::cli::shell
