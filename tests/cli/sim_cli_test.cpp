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
#include "tools/kdp-sim/snapshot.h"
#include "tests/cli/cli_suite.h"
#include "tests/client/sim_world.h"
#include "tools/kdp-sim/default_script.h"

using namespace kdp;
using namespace kdp::cli::test;

namespace {

constexpr size_t kKeptLines = 200;

// Sessions over the simulated network: a new debugger port for every session, request keys from
// the seed (so a run replays exactly), every packet line kept for the failure report.
class SimSessionProvider final : public cli::SessionProvider {
 public:
  SimSessionProvider(sim::SimWorld& world, uint64_t seed) : world_(world), keys_(seed) {
    world_.on_kernel_log([this](const std::string& line) { keep("kernel: " + line); });
  }

  Expected<std::unique_ptr<client::Session>> open(const std::string& target, cli::AttachKind kind,
                                                  client::SessionOptions options) override {
    // A resumed conversation binds the port it left (Session::reattach does so over UDP).
    const uint16_t port = options.resume ? options.resume->local_port : next_port_++;
    std::function<void(std::string_view)> user_log = std::move(options.packet_log);
    options.packet_log = [this, port, user_log](std::string_view line) {
      keep(":" + std::to_string(port) + " " + std::string(line));
      if (user_log) user_log(line);
    };
    const std::string host = target.substr(0, target.rfind(':'));
    client::SessionSetup setup{host, sim::kKernel, std::move(options), static_cast<uint32_t>(keys_())};
    const auto mode = kind == cli::AttachKind::kReattach ? client::AttachMode::kReattach : client::AttachMode::kConnect;
    return client::open_session(world_.attach(port), std::move(setup), mode);
  }

  std::string last_packets() const {
    std::string text;
    for (const std::string& line : lines_) text += line + "\n";
    return text;
  }

 private:
  void keep(std::string line) {
    lines_.push_back(std::move(line));
    if (lines_.size() > kKeptLines) lines_.pop_front();
  }

  sim::SimWorld& world_;
  std::mt19937_64 keys_;
  uint16_t next_port_ = 50000;
  std::deque<std::string> lines_;
};

const stub::Snapshot& demo_snapshot() {
  static const stub::Snapshot snapshot = [] {
    auto loaded = stub::load_snapshot(KDPCTL_DEMO_CORE);
    REQUIRE_MESSAGE(loaded, "the demo snapshot " KDPCTL_DEMO_CORE " (kdp-sim's default --core)");
    return std::move(loaded).value();
  }();
  return snapshot;
}

// kdp-sim's kernel with its defaults (tools/kdp-sim/main.cpp make_engine), restarting in three
// seconds of virtual time as a real machine never restarts at once: the copies of the last
// session's requests that the network still holds (at most reorder_delay + jitter + delay) die
// meanwhile. Seed 52 showed an instant restart letting them run in the next boot's session.
stub::StubEngine demo_kernel() {
  const stub::Snapshot& snapshot = demo_snapshot();
  stub::ExecutionScript script;
  script.path = sim::default_script(snapshot.memory, snapshot.registers.rip());
  stub::TargetConfig target;
  target.boot_time = std::chrono::seconds(3);
  return stub::StubEngine(std::move(target), snapshot.memory, snapshot.registers, std::move(script));
}

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
  cli::CliContext context{&sessions, interrupt, false, false, ""};
  if (mode == Mode::kAgent) context.sessions = &held;
  TempDir dir;
  const std::string state = dir.file("state");
  const Runner runner = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"kdpctl", "--state", state};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<const char*> pointers;
    for (const std::string& a : argv) pointers.push_back(a.c_str());
    std::ostringstream out, err;
    ProcessResult r;
    r.exit_code = cli::run_kdpctl(static_cast<int>(pointers.size()), pointers.data(), out, err, context);
    r.out = out.str();
    r.err = err.str();
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
  cli::CliContext context{&sessions, world.exhaustion_flag(), false, false, ""};
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
