// A kernel that `continue --timeout` left running (kdp-sim's default script never stops): commands
// that need no target answer from the kernel file, commands that need the kernel stopped say at
// once that it runs, and `detach` has nothing to do. Direct mode.
#include <doctest/doctest.h>

#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

TEST_CASE("a kernel left running: offline commands do not touch it, the others say it runs, detach is done") {
  if (!binaries_available() || demo_kernel_path().empty()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl cli;
  REQUIRE(cli.run({"--kernel", demo_kernel_path(), "reattach", sim.target()}).exit_code == 0);
  ProcessResult continued = cli.run({"--timeout", "1", "continue"});
  REQUIRE(continued.exit_code == 3);
  CHECK(contains(read_file(cli.state_path()), "\nrunning " + sim.target() + "\n"));

  // The demo kernel has no dSYM: the answer is that, from the kernel file, with no KDP request.
  for (const std::vector<std::string>& lookup :
       {std::vector<std::string>{"-v", "info", "line", "kext_alloc"}, {"-v", "list", "kext_alloc"}}) {
    ProcessResult r = cli.run(lookup);
    INFO(lookup[1] << " stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "no debug information loaded"));
    CHECK(!contains(r.err, "-->"));  // nothing was sent
  }
  CHECK(cli.run({"ptype", "struct proc"}).exit_code == 0);

  ProcessResult regs = cli.run({"regs"});
  CHECK(regs.exit_code == 3);
  CHECK(contains(regs.err, "the kernel at " + sim.target() + " is still running"));
  CHECK(contains(regs.err, "KDP cannot stop a running kernel"));

  ProcessResult detached = cli.run({"detach"});
  INFO("detach stderr: " << detached.err);
  CHECK(detached.exit_code == 0);
  CHECK(detached.out == "The kernel at " + sim.target() +
                            " is already running (a continue or step left it running); nothing to detach.\n");
  CHECK(!contains(read_file(cli.state_path()), "\nrunning "));
}
