// The cli suite (cli_suite.h) with real kdpctl processes against a real kdp-sim over loopback,
// then against a kdp-sim that loses, duplicates and reorders datagrams: the two transcripts
// (stdout and exit code of every run) must be identical. Every command runs with -v, so a failure
// shows the packets of the command that failed. The same suite runs in-process over the
// simulated network, with many seeds, in sim_cli_test.cpp.
#include <doctest/doctest.h>

#include <cstdlib>

#include "tests/cli/cli_suite.h"

using namespace kdp::cli::test;

namespace {

std::vector<Entry> run_suite(const std::vector<std::string>& sim_flags) {
  Sim sim(sim_flags);
  REQUIRE(sim.ready());
  Kdpctl cli;
  const Runner runner = [&](const std::vector<std::string>& args) {
    std::vector<std::string> verbose = {"-v"};
    verbose.insert(verbose.end(), args.begin(), args.end());
    return cli.run(verbose);
  };
  Suite s(runner, SuiteTarget{sim.target(), "127.0.0.1", sim.target(), cli.dir(), {}});
  INFO("packets of the latest command (kdpctl -v):\n" << s.last_err());
  return run_cli_suite(s);
}

}  // namespace

TEST_CASE("every command against kdp-sim, lossless and with loss, duplication and reordering") {
  if (!binaries_available()) return;
  const std::vector<Entry> reference = run_suite({});
  // KDPCTL_TEST_SEED reruns the lossy half with another fault pattern.
  const char* seed_env = std::getenv("KDPCTL_TEST_SEED");
  const std::string seed = seed_env && *seed_env ? seed_env : "7";
  INFO("kdp-sim fault seed " << seed << " (replay: KDPCTL_TEST_SEED=" << seed << ")");
  compare_transcripts(reference, run_suite({"--loss", "0.2", "--dup", "0.1", "--reorder", "0.1", "--seed", seed}));
}
