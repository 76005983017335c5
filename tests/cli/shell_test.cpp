// The shell without a terminal: the loop over a fake line source (gdb's Enter-repeat, scripts
// stopping at the first failure, ^C at the prompt), script line reading, Tab completion over
// injected names, and the history file's refusals.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/shell/completion.h"
#include "cli/shell/history_file.h"
#include "cli/shell/macros.h"
#include "cli/shell/repeat.h"
#include "cli/shell/shell.h"
#include "cli/shell/shell_loop.h"
#include "cli/shell/stream_source.h"
#include "tests/cli/e2e_support.h"

namespace kdp::cli::shell {
namespace {

using test::contains;
using Words = std::vector<std::string>;

class FakeLines : public LineSource {
 public:
  explicit FakeLines(std::vector<InputLine> lines) : lines_(std::move(lines)) {}
  InputLine read_line() override {
    if (next_ == lines_.size()) return {InputLine::Kind::kEnd, ""};
    return lines_[next_++];
  }
  void remember(const std::string& line) override { remembered.push_back(line); }
  std::vector<std::string> remembered;
  size_t read() const { return next_; }

 private:
  std::vector<InputLine> lines_;
  size_t next_ = 0;
};

std::vector<InputLine> typed(const std::vector<std::string>& lines) {
  std::vector<InputLine> out;
  for (const std::string& l : lines) out.push_back({InputLine::Kind::kLine, l});
  return out;
}

// Records every command; the ones named in `failing` exit 1.
struct FakeRunner {
  std::vector<Words> ran;
  std::vector<std::string> failing;
  CommandRunner runner() {
    return [this](const Words& words) {
      ran.push_back(words);
      for (const std::string& f : failing)
        if (words.front() == f) return 1;
      return 0;
    };
  }
};

struct Run {
  int code = -1;
  std::string out, err;
};

Run run(FakeLines& lines, FakeRunner& commands, LoopOptions options) {
  std::ostringstream out, err;
  Run r;
  r.code = run_loop(lines, commands.runner(), out, err, options);
  r.out = out.str();
  r.err = err.str();
  return r;
}

const LoopOptions kPrompt{true, "", "SHELL KEYS\n"};
const LoopOptions kScript{false, "cmds.gdb", ""};

TEST_CASE("shell loop: Enter repeats x at the next address and si/c as typed, not other commands") {
  FakeLines lines(typed({"x/4gx $rsp", "", "", "si", "", "c", "  ", "break kext_alloc", "", "x/2i $pc"}));
  FakeRunner commands;
  CHECK(run(lines, commands, kPrompt).code == 0);
  const std::vector<Words> expected = {{"x/4gx", "$rsp"}, {"x/4gx"}, {"x/4gx"}, {"si"}, {"si"}, {"c"}, {"c"},
                                       {"break", "kext_alloc"}, {"x/2i", "$pc"}};
  CHECK(commands.ran == expected);
  CHECK(lines.remembered == std::vector<std::string>{"x/4gx $rsp", "si", "c", "break kext_alloc", "x/2i $pc"});
}

TEST_CASE("shell loop: at the prompt an error prints and the shell goes on; quit leaves with 0") {
  FakeLines lines(typed({"nosuch", "version", "quit", "version"}));
  FakeRunner commands{{}, {"nosuch"}};
  CHECK(run(lines, commands, kPrompt).code == 0);
  CHECK(commands.ran == std::vector<Words>{{"nosuch"}, {"version"}});
  CHECK(lines.read() == 3);  // nothing is read after quit
}

TEST_CASE("shell loop: ^C at the prompt drops the line; the end of input leaves with 0") {
  FakeLines lines({{InputLine::Kind::kLine, "si"}, {InputLine::Kind::kInterrupted, ""}, {InputLine::Kind::kLine, "regs"}});
  FakeRunner commands;
  CHECK(run(lines, commands, kPrompt).code == 0);
  CHECK(commands.ran == std::vector<Words>{{"si"}, {"regs"}});
}

TEST_CASE("shell loop: help adds the shell's keys after the command list; shell inside the shell is refused") {
  FakeLines lines(typed({"help", "shell"}));
  FakeRunner commands;
  const Run r = run(lines, commands, kPrompt);
  CHECK(commands.ran == std::vector<Words>{{"help"}});
  CHECK(r.out == "SHELL KEYS\n");
  CHECK(r.err == "kdpctl: already in the shell\n");
}

TEST_CASE("shell script: comments and blank lines are skipped, nothing repeats, the first failure ends it") {
  FakeLines lines(typed({"# take the kernel", "", "si", "", "bt", "regs", "version"}));
  FakeRunner commands{{}, {"bt"}};
  const Run r = run(lines, commands, kScript);
  CHECK(r.code == 1);  // the failing command's own exit code
  CHECK(commands.ran == std::vector<Words>{{"si"}, {"bt"}});
  CHECK(r.err == "cmds.gdb:5: Error in sourced command file: bt\n");
  CHECK(lines.remembered.empty());  // scripts leave no history
}

TEST_CASE("shell script: an unreadable line ends the script with a usage error naming it") {
  FakeLines lines({{InputLine::Kind::kLine, "si"}, {InputLine::Kind::kError, "a NUL byte in a script line"}});
  FakeRunner commands;
  const Run r = run(lines, commands, kScript);
  CHECK(r.code == 2);
  CHECK(r.err == "kdpctl: cmds.gdb:2: a NUL byte in a script line\n");
}

TEST_CASE("shell repeat: what an empty line runs after each command") {
  CHECK(repeat_of({"x/4gx", "0x10", "+", "8"}) == Words{"x/4gx"});
  CHECK(repeat_of({"x"}) == Words{"x"});
  CHECK(repeat_of({"stepi"}) == Words{"stepi"});
  CHECK(repeat_of({"cont"}) == Words{"cont"});
  CHECK_FALSE(repeat_of({"delete", "1"}));
  CHECK_FALSE(repeat_of({"print", "1"}));
  CHECK_FALSE(repeat_of({"nosuch"}));
}

TEST_CASE("shell define: a user command runs its lines with $argN and $argc, as gdb's define") {
  FakeLines lines(typed({"define pair", "  # two words", "x/2gx $arg0", "print $argc", "end", "pair $sp 7", "pair"}));
  FakeRunner commands;
  const Run r = run(lines, commands, kPrompt);
  CHECK(r.code == 0);
  const std::vector<Words> expected = {{"x/2gx", "$sp"}, {"print", "2"}, {"x/2gx", "$arg0"}, {"print", "0"}};
  CHECK(commands.ran == expected);
  CHECK(r.out == "Type commands for definition of \"pair\".\nEnd with a line saying just \"end\".\n");
}

TEST_CASE("shell define: a failing line ends the macro and the script; names of commands are refused") {
  FakeLines lines(typed({"define two", "bt", "regs", "end", "two", "version"}));
  FakeRunner commands{{}, {"bt"}};
  const Run r = run(lines, commands, kScript);
  CHECK(r.code == 1);
  CHECK(commands.ran == std::vector<Words>{{"bt"}});
  CHECK(r.err == "cmds.gdb:5: Error in sourced command file: two\n");

  FakeLines taken(typed({"define x", "regs", "end", "version"}));
  FakeRunner none;
  const Run refused = run(taken, none, kScript);
  CHECK(refused.code == 2);
  CHECK(none.ran.empty());  // the body was not run as commands either
  CHECK(contains(refused.err, "define: x is a kdpctl command"));
}

TEST_CASE("shell define: a macro calling itself stops at a bound; a body without end is an error") {
  FakeLines lines(typed({"define loop", "si", "loop", "end", "loop"}));
  FakeRunner commands;
  const Run r = run(lines, commands, kPrompt);
  CHECK(commands.ran.size() == 16);
  CHECK(contains(r.err, "macros nested deeper than 16"));

  FakeLines open(typed({"define half", "si"}));
  FakeRunner none;
  CHECK(run(open, none, kScript).code == 2);
  CHECK(none.ran.empty());
  CHECK(substitute_args("x/$arg1 $arg0 $arg2 $argc", {"a", "b"}) == "x/b a $arg2 2");
}

std::vector<InputLine> read_all(const std::string& text) {
  std::istringstream in(text);
  StreamLineSource source(in);
  std::vector<InputLine> lines;
  for (;;) {
    InputLine l = source.read_line();
    if (l.kind == InputLine::Kind::kEnd) return lines;
    lines.push_back(l);
    if (l.kind == InputLine::Kind::kError) return lines;
  }
}

TEST_CASE("shell script lines: CRLF, a last line without newline, NUL bytes and endless lines") {
  const auto lines = read_all("si\r\n\nregs");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].text == "si");
  CHECK(lines[1].text == "");
  CHECK(lines[2].text == "regs");
  const auto nul = read_all(std::string("si\nre\0gs\n", 9));
  REQUIRE(nul.size() == 2);
  CHECK(nul[1].kind == InputLine::Kind::kError);
  const auto endless = read_all(std::string(kLongestScriptLine + 1, 'a'));
  REQUIRE(endless.size() == 1);
  CHECK(endless[0].kind == InputLine::Kind::kError);
  CHECK(read_all(std::string(kLongestScriptLine, 'a'))[0].kind == InputLine::Kind::kLine);
}

Completer fake_completer(std::vector<std::string>* asked_fields) {
  NameSources names;
  names.symbols = [] { return std::vector<std::string>{"kext_alloc_max", "kernproc", "kext_alloc", "kernel_task"}; };
  names.fields = [asked_fields](const std::string& expression) {
    asked_fields->push_back(expression);
    return std::vector<std::string>{"p_pid", "p_pptr", "task"};
  };
  return Completer(names);
}

TEST_CASE("shell completion: command names first, symbols after, fields after -> and .") {
  std::vector<std::string> asked;
  Completer completer = fake_completer(&asked);
  CHECK(completer.complete("showall").candidates ==
        std::vector<std::string>{"showallkmods", "showallstacks", "showalltasks"});
  CHECK(completer.complete("  qu").candidates == std::vector<std::string>{"quit"});
  const Completion symbol = completer.complete("x/4gx kext_a");
  CHECK(symbol.start == 6);
  CHECK(symbol.candidates == std::vector<std::string>{"kext_alloc", "kext_alloc_max"});
  CHECK(completer.complete("print *kern").candidates == std::vector<std::string>{"kernel_task", "kernproc"});
  CHECK(completer.complete("print kernproc->p_p").candidates == std::vector<std::string>{"p_pid", "p_pptr"});
  CHECK(completer.complete("print (*kernproc).t").candidates == std::vector<std::string>{"task"});
  CHECK(completer.complete("print kernproc->p_pptr->").candidates.size() == 3);
  CHECK(asked == std::vector<std::string>{"kernproc", "(*kernproc)", "kernproc->p_pptr"});
  CHECK(common_prefix({"kext_alloc", "kext_alloc_max"}) == "kext_alloc");
}

TEST_CASE("shell history file: kept across runs, bounded, only a regular file of ours") {
  test::TempDir dir;
  const std::string path = dir.file("state/kdpctl/history");
  CHECK(load_history(path).value().empty());
  std::vector<std::string> lines;
  for (size_t i = 0; i < kHistoryLines + 5; ++i) lines.push_back("x/" + std::to_string(i) + "gx $sp");
  REQUIRE(save_history(path, lines));
  const auto loaded = load_history(path);
  REQUIRE(loaded);
  REQUIRE(loaded->size() == kHistoryLines);
  CHECK(loaded->front() == "x/5gx $sp");
  CHECK(loaded->back() == "x/" + std::to_string(kHistoryLines + 4) + "gx $sp");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);  // commands name kernel addresses: the owner's only

  const std::string elsewhere = dir.file("elsewhere");
  REQUIRE(save_history(elsewhere, {"bt"}));
  const std::string link = dir.file("link");
  REQUIRE(::symlink(elsewhere.c_str(), link.c_str()) == 0);
  CHECK_FALSE(save_history(link, {"reboot"}));
  CHECK_FALSE(load_history(link));
  CHECK(test::read_file(elsewhere) == "bt\n");  // never written through the link

  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_FALSE(save_history(fifo, {"bt"}));
  CHECK_FALSE(load_history(fifo));  // refused before any open: nothing blocks
}

TEST_CASE("shell history path: XDG_STATE_HOME, else ~/.local/state") {
  CHECK(default_history_path("/x", "/home/u").value() == "/x/kdpctl/history");
  CHECK(default_history_path("", "/home/u").value() == "/home/u/.local/state/kdpctl/history");
  CHECK_FALSE(default_history_path(nullptr, nullptr));
}

}  // namespace
}  // namespace kdp::cli::shell

TEST_CASE("shell prompt: names the thread selected with thread N or switchtoact, else the plain prompt") {
  using kdp::cli::Selection;
  using kdp::cli::SelectedThread;
  CHECK(kdp::cli::shell::prompt_text(std::nullopt) == "(kdpctl) ");
  Selection frame_only;
  frame_only.frame = 2;  // a frame of the CPU's own thread: gdb's prompt does not change either
  CHECK(kdp::cli::shell::prompt_text(frame_only) == "(kdpctl) ");
  Selection numbered;
  numbered.thread = SelectedThread{0xffffff8001234000, 3, {}};
  CHECK(kdp::cli::shell::prompt_text(numbered) == "(kdpctl thread 3) ");
  Selection by_address;
  by_address.thread = SelectedThread{0xffffff8001234000, 0, {}};
  CHECK(kdp::cli::shell::prompt_text(by_address) == "(kdpctl thread 0xffffff8001234000) ");
}

TEST_CASE("shell history file: two shells open at once keep each other's lines") {
  kdp::cli::test::TempDir dir;
  const std::string path = dir.file("history");
  // Each shell adds its commands as they run, interleaved; neither rewrites the file from the
  // lines it loaded at its start.
  REQUIRE(kdp::cli::shell::append_history(path, "bt"));        // shell 1
  REQUIRE(kdp::cli::shell::append_history(path, "regs"));      // shell 2
  REQUIRE(kdp::cli::shell::append_history(path, "x/4gx $rsp"));  // shell 1
  const auto loaded = kdp::cli::shell::load_history(path);
  REQUIRE(loaded.has_value());
  CHECK(*loaded == std::vector<std::string>{"bt", "regs", "x/4gx $rsp"});
}
