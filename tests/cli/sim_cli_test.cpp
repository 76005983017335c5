// The cli suite (cli_suite.h) in-process: run_kdpctl over the deterministic simulated network
// (tests/client/sim_world.h) with a virtual clock, against kdp-sim's kernel (the demo snapshot
// and its default script) in a StubEngine. Every command is a new session from a new port and
// nothing is drained between commands: held-back duplicates of one command's packets meet the
// next. A lossless run gives the reference transcript; each lossy run (20 % loss, 10 %
// duplication, 10 % reordering, 1 ms delay each way) must reproduce it exactly.
//
// KDPCTL_SIM_SEED=N replays one lossy seed exactly; KDPCTL_SIM_SEEDS=N runs seeds 1..N (default
// 40). A failure names its seed and shows the last packets both ways and the kernel's log.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <optional>
#include <random>
#include <sstream>

#include "cli/agent/held_session.h"
#include "cli/dispatch.h"
#include "kdp/client/kdp_session.h"
#include "kdp/wire/codec.h"
#include "tests/cli/cli_suite.h"
#include "tests/cli/sim_cli_support.h"
#include "tests/client/sim_world.h"

using namespace kdp;
using namespace kdp::cli::test;

namespace {

sim::WorldConfig lossy_world(uint64_t seed) {
  net::FaultConfig faults;
  faults.loss = 0.2;
  faults.dup = 0.1;
  faults.reorder = 0.1;
  faults.delay = std::chrono::milliseconds(1);
  sim::WorldConfig config;
  config.to_kernel = faults;
  config.to_debuggers = faults;
  config.seed = seed;
  return config;
}

enum class Mode {
  kDirect,  // every command opens its own session (a new port)
  kAgent,   // every command borrows the session an agent holds (cli/agent/held_session.h)
};

// One run of the suite in a world; `seed` names the lossy fault pattern (none: lossless).
std::vector<Entry> run_in_sim(std::optional<uint64_t> seed, Mode mode = Mode::kDirect) {
  sim::SimWorld world(demo_kernel(), seed ? lossy_world(*seed) : sim::WorldConfig{});
  SimSessionProvider sessions(world, seed.value_or(0) + 1);
  // Nobody presses Ctrl-C; a run that used up the world's event budget is interrupted instead.
  const std::atomic<bool>* interrupt = world.exhaustion_flag();
  cli::agent::HeldSessionProvider held("kernel", sessions, interrupt);
  cli::CliContext context = in_process_context(&sessions, interrupt);
  if (mode == Mode::kAgent) context.sessions = &held;
  TempDir dir;
  const std::string state = dir.file("state");
  const Runner runner = [&](const std::vector<std::string>& args) {
    ProcessResult r = run_in_process(context, state, args);
    r.timed_out = world.exhausted();
    held.after_command(r.exit_code);  // what the agent does between commands
    held.poll_stop(std::chrono::milliseconds(0));
    return r;
  };
  // Generous retries and deadlines, remembered by reattach: in virtual time they cost nothing,
  // and the suite demands the same answers as the lossless run (seed 62: after `reboot` the
  // machine is deaf for 3 s, then REATTACH goes out once a second, and 10 s were not enough).
  Suite s(runner, SuiteTarget{"kernel", "kernel", "10.0.0.2:41139", dir.path(), {"--retries", "40", "--timeout", "30"}});
  const std::string run_name = seed ? "lossy seed " + std::to_string(*seed) + " (replay: KDPCTL_SIM_SEED=" +
                                          std::to_string(*seed) + ")"
                                    : "lossless run";
  INFO(run_name);
  INFO("last packets (:port = the debugger's port; virtual time " << world.now().count() / 1000000 << " ms):\n"
                                                                   << sessions.last_packets());
  std::vector<Entry> transcript = run_cli_suite(s);
  CHECK_FALSE(world.exhausted());
  return transcript;
}

// The lossless direct-mode transcript is the reference for every other run.
void check_seeds(const std::vector<uint64_t>& seeds, Mode mode = Mode::kDirect) {
  const std::vector<Entry> reference = run_in_sim(std::nullopt);
  REQUIRE(reference.size() > 50);
  if (mode != Mode::kDirect) compare_transcripts(reference, run_in_sim(std::nullopt, mode));
  for (uint64_t seed : seeds) {
    INFO("lossy seed " << seed << " (replay: KDPCTL_SIM_SEED=" << seed << ")");
    compare_transcripts(reference, run_in_sim(seed, mode));
  }
}

std::optional<uint64_t> env_number(const char* name) {
  const char* text = std::getenv(name);
  if (!text || !*text) return std::nullopt;
  return std::strtoull(text, nullptr, 10);
}

}  // namespace

std::vector<uint64_t> seeds_to_run() {
  std::vector<uint64_t> seeds;
  if (auto one = env_number("KDPCTL_SIM_SEED")) return {*one};
  for (uint64_t s = 1; s <= env_number("KDPCTL_SIM_SEEDS").value_or(40); ++s) seeds.push_back(s);
  return seeds;
}

TEST_CASE("the cli suite in-process over the simulation: lossy runs print what the lossless run prints") {
  check_seeds(seeds_to_run());
}

TEST_CASE("the cli suite through an agent's held session prints what direct mode prints, lossy or not") {
  check_seeds(seeds_to_run(), Mode::kAgent);
}

// Seed 184 of the lossy suite lost every KDP_HOSTREBOOT that reboot sent, and reboot still said it
// had sent one while the kernel stayed where it was: a kernel that never reboots must be an error.
TEST_CASE("reboot reports a kernel that never got any of its KDP_HOSTREBOOTs") {
  sim::SimWorld world(demo_kernel(), sim::WorldConfig{});
  int reboots_dropped = 0;
  world.drop_if([&](const Datagram& d, Endpoint) {
    auto header = wire::decode_header(d.bytes);
    bool reboot = header && !header->is_reply && header->command == wire::Command::kHostReboot;
    reboots_dropped += reboot ? 1 : 0;
    return reboot;
  });
  SimSessionProvider sessions(world, 1);
  cli::CliContext context = in_process_context(&sessions, world.exhaustion_flag());
  TempDir dir;
  const std::string state = dir.file("state");
  auto run = [&](std::vector<const char*> args, std::ostringstream& err) {
    std::vector<const char*> argv = {"kdpctl", "--state", state.c_str()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::ostringstream out;
    return cli::run_kdpctl(static_cast<int>(argv.size()), argv.data(), out, err, context);
  };
  std::ostringstream attach_err, reboot_err;
  REQUIRE(run({"reattach", "kernel"}, attach_err) == 0);
  CHECK(run({"reboot"}, reboot_err) == 3);  // the kernel never answered what mattered
  CHECK(reboot_err.str().find("did not restart") != std::string::npos);
  CHECK(reboots_dropped > 1);
  CHECK(world.kernel().stats().reboots == 0);
}
