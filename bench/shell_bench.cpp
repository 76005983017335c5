// shell_bench: the shell through a pseudo-terminal against kdp-sim on 127.0.0.1, through the
// session agent (the default): time from starting `kdpctl shell` to its first prompt, and from the
// Enter that ends `x/4gx $rsp` to that command's first output line at the same stop (the agent's
// cache warm: one READREGS checks the stop). Run by hand:
//   build/bench/shell_bench [--runs N]        (default 30)
// e2e_support (the process helpers shared with the tests) reports skips with doctest: provide
// doctest's implementation, without its main.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/cli/agent_cli.h"
#include "tests/cli/e2e_support.h"
#include "tests/cli/pty_process.h"

using namespace kdp::cli::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kPrompt = "(kdpctl) ";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))]; };
  std::printf("%-44s median %7.2f ms  p90 %7.2f ms  max %7.2f ms  (%zu runs)\n", what, at(0.5), at(0.9), ms.back(),
              ms.size());
}

std::vector<std::string> env_for(const TempDir& home) {
  return {"HOME=" + home.path(), "XDG_STATE_HOME=" + home.path() + "/state", "TERM=xterm"};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 30;
  if (argc == 3 && std::strcmp(argv[1], "--runs") == 0) runs = std::max(1, std::atoi(argv[2]));
  Sim sim;
  AgentCli cli;
  TempDir home;
  if (!sim.ready() || cli.reattach(sim.target()) == 0) {
    std::fprintf(stderr, "shell_bench: kdp-sim or the agent did not come up\n");
    return 1;
  }
  std::vector<double> start_ms, x_ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    PtyProcess shell(cli.argv({"shell"}), env_for(home));
    if (!shell.wait_for(kPrompt)) return 1;
    start_ms.push_back(ms_since(start));
    shell.type("x/4gx $rsp\r");  // the first one fills the agent's cache for this stop
    if (!shell.wait_for(kPrompt)) return 1;
    for (int j = 0; j < 5; ++j) {
      shell.type("x/4gx $rsp");
      if (!shell.wait_for("$rsp")) return 1;  // the echo: the line is typed, Enter is next
      const auto enter = Clock::now();
      shell.type("\r");
      if (!shell.wait_for(":\t0x")) return 1;
      x_ms.push_back(ms_since(enter));
      if (!shell.wait_for(kPrompt)) return 1;
    }
    shell.type("quit\r");
    shell.finish();
  }
  report("kdpctl shell: start to first prompt", start_ms);
  report("x/4gx $rsp: Enter to first output line", x_ms);
  cli.run({"detach"});
  return 0;
}
