// The shell as a user meets it: the real kdpctl on a pseudo-terminal against the real kdp-sim,
// through the session agent (the default). Waits are for text on the terminal, never for time.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <regex>
#include <string>

#include "tests/cli/agent_cli.h"
#include "tests/cli/e2e_support.h"
#include "tests/cli/pty_process.h"

namespace kdp::cli::test {
namespace {

constexpr const char* kPrompt = "(kdpctl) ";
constexpr const char* kUp = "\x1b[A";

// `kdpctl --kernel DEMO shell` in agent mode, its history under `home`.
std::vector<std::string> shell_argv(const AgentCli& cli) {
  return cli.argv({"--kernel", demo_kernel_path(), "shell"});
}
std::vector<std::string> shell_env(const std::string& home) {
  return {"HOME=" + home, "XDG_STATE_HOME=" + home + "/state", "TERM=xterm"};
}

// Runs `line` at the prompt: what the terminal showed until the next prompt ("" if none came).
std::string at_prompt(PtyProcess& shell, const std::string& keys) {
  shell.type(keys);
  return shell.wait_for(kPrompt).value_or("");
}

// The first address x printed in `text` ("0xffffff8000e03ea0:"), or 0.
uint64_t first_address(const std::string& text) {
  std::smatch m;
  static const std::regex line("(0x[0-9a-f]{16}):\t");
  return std::regex_search(text, m, line) ? std::stoull(m[1], nullptr, 16) : 0;
}

TEST_CASE("e2e shell: prompt, Tab completion, Enter repeats x, ^C stops a command, history across runs") {
  if (!binaries_available() || demo_kernel_path().empty()) return;
  Sim sim({"--stop-after", "3000"});
  REQUIRE(sim.ready());
  AgentCli cli;
  TempDir home;
  {
    PtyProcess shell(shell_argv(cli), shell_env(home.path()));
    REQUIRE(shell.started());
    REQUIRE_MESSAGE(shell.wait_for(kPrompt), shell.transcript());
    CHECK(contains(at_prompt(shell, "reattach " + sim.target() + " --idle 60\r"), "Attached to"));

    const std::string first = at_prompt(shell, "x/4gx $rsp\r");
    const uint64_t rsp = first_address(first);
    REQUIRE_MESSAGE(rsp != 0, first);
    // Enter: the same x/4gx, going on after the 32 bytes shown.
    const std::string again = at_prompt(shell, "\r");
    CHECK_MESSAGE(first_address(again) == rsp + 32, again);

    // Tab completes the command word, then a symbol (what runs shows what was completed).
    CHECK(contains(at_prompt(shell, "showvers\t\r"), "Darwin Kernel Version 11.3.0"));
    CHECK(contains(at_prompt(shell, "x/gx &demo_mag\t\r"), "<demo_magic>:"));

    // ^C stops the running command, not the shell: a continue the kernel answers only 3 s later.
    shell.type("continue\r");
    REQUIRE_MESSAGE(shell.wait_for("Continuing."), shell.transcript());
    shell.type("\x03");
    const std::optional<std::string> stopped = shell.wait_for(kPrompt);
    REQUIRE_MESSAGE(stopped, shell.transcript());
    CHECK_MESSAGE(contains(*stopped, "nterrupt"), *stopped);
    CHECK(contains(at_prompt(shell, "help x\r"), "usage: kdpctl x/FMT [ADDR]"));
    REQUIRE_MESSAGE(shell.wait_for_raw_input(), shell.transcript());
    shell.type("\x04");
    CHECK(shell.finish() == 0);
  }
  {
    // A second run: Up brings back the first run's last line.
    PtyProcess shell(shell_argv(cli), shell_env(home.path()));
    REQUIRE(shell.wait_for(kPrompt));
    CHECK(contains(at_prompt(shell, std::string(kUp) + "\r"), "usage: kdpctl x/FMT [ADDR]"));
    at_prompt(shell, "continue\r");  // takes the stop the interrupted continue left
    CHECK(contains(at_prompt(shell, "detach\r"), "Detached"));
    shell.type("quit\r");
    CHECK(shell.finish() == 0);
  }
  CHECK(cli.agent_gone(sim.target()));
  CHECK(contains(read_file(home.path() + "/state/kdpctl/history"), "x/gx &demo_magic\n"));
}

TEST_CASE("e2e shell: --help on a terminal prints the help, it does not open the prompt") {
  if (!binaries_available()) return;
  Kdpctl kdpctl;
  TempDir home;
  PtyProcess help(kdpctl.argv({"--help"}), shell_env(home.path()));
  CHECK(help.wait_for("usage: kdpctl [OPTIONS] COMMAND [ARGS]"));
  CHECK(help.finish() == 0);  // a prompt would wait for input and be killed at the deadline
}

#ifdef KDPCTL_DEMO_WORLD_DIR
TEST_CASE("e2e shell: Tab completes a struct field after -> from the kernel's types") {
  if (!binaries_available()) return;
  const std::string world = KDPCTL_DEMO_WORLD_DIR;
  Kdpctl kdpctl;
  TempDir home;
  PtyProcess shell(kdpctl.argv({"--kernel", world + "/mach_kernel", "--core", world + "/world.core", "shell"}),
                   shell_env(home.path()));
  REQUIRE(shell.wait_for(kPrompt));
  // kernel_task's proc: pid 0 (the world's record); the field's name was typed only up to "p_pi".
  CHECK(contains(at_prompt(shell, "print kernproc->p_pi\t\r"), "$1 = 0"));
  shell.type("quit\r");
  CHECK(shell.finish() == 0);
}
#endif

TEST_CASE("e2e shell: a script stops at its first failing command with that command's exit code") {
  if (!binaries_available()) return;
  Kdpctl kdpctl;
  const std::string script = kdpctl.file("cmds.gdb");
  {
    std::FILE* f = std::fopen(script.c_str(), "w");
    REQUIRE(f);
    std::fputs("# no target is needed for these\n\nhelp x\nnosuchcommand\nhelp bt\n", f);
    std::fclose(f);
  }
  const ProcessResult r = kdpctl.run({"-x", script});
  CHECK(r.exit_code == 2);  // kdpctl's usage error, as `kdpctl nosuchcommand` exits
  CHECK(contains(r.out, "usage: kdpctl x/FMT [ADDR]"));
  CHECK_FALSE(contains(r.out, "usage: kdpctl bt"));
  CHECK(contains(r.err, "kdpctl: unknown command \"nosuchcommand\""));
  CHECK(contains(r.err, "cmds.gdb:4: Error in sourced command file: nosuchcommand\n"));

  // The same script on stdin (a file): the same run, named <stdin>.
  const ProcessResult piped = run_process({"/bin/sh", "-c", "exec \"$0\" --state \"$1\" < \"$2\"", kdpctl_path(),
                                           kdpctl.state_path(), script});
  CHECK(piped.exit_code == 2);
  CHECK(contains(piped.out, "usage: kdpctl x/FMT [ADDR]"));
  CHECK(contains(piped.err, "<stdin>:4: Error in sourced command file: nosuchcommand\n"));
  // stdin /dev/null, no command: kdpctl's help and the usage exit, as before the shell.
  const ProcessResult bare = kdpctl.run({});
  CHECK(bare.exit_code == 2);
  CHECK(contains(bare.out, "usage: kdpctl [OPTIONS] COMMAND [ARGS]"));
}

}  // namespace
}  // namespace kdp::cli::test
