// Direct mode on a kernel without kernel-managed breakpoints: an int3 kdpctl could not take out
// (the kernel runs on after a continue was interrupted) is recorded once, in the int3 journal beside the
// state file, never as a `planted` line of the state file (read only in old state files).
#include <doctest/doctest.h>

#include <signal.h>

#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

TEST_CASE("a continue interrupted with an int3 in memory records it in the journal, not in the state file") {
  if (!binaries_available()) return;
  Sim sim({"--no-bp-feature"});
  REQUIRE(sim.ready());
  Kdpctl cli;
  REQUIRE(cli.run({"reattach", sim.target()}).exit_code == 0);
  // A breakpoint where the kernel does not go: the kernel runs on with the int3 in its memory.
  const std::string address = "0xffffff8000396210";
  REQUIRE(cli.run({"break", address}).exit_code == 0);
  BackgroundProcess waiting(cli.argv({"continue"}), /*capture_stderr=*/true);
  REQUIRE(waiting.first_line() == "Continuing.");
  waiting.signal(SIGINT);
  const ProcessResult waited = waiting.finish();
  CHECK(waited.exit_code == 130);
  CHECK(waited.err.find("the kernel keeps running") != std::string::npos);
  CHECK(read_file(cli.state_path()).find("planted") == std::string::npos);
  const std::string journal = read_file(cli.state_path() + ".int3");
  CHECK(journal.find("\nint3 ") != std::string::npos);
  CHECK(journal.find(" " + address + " 0x") != std::string::npos);
}
