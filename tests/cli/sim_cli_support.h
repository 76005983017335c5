// kdpctl in-process over the deterministic simulated network (tests/client/sim_world.h): sessions
// from a SimWorld, kdp-sim's demo kernel in a StubEngine, and run_kdpctl with a state file.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "cli/session_provider.h"
#include "kdp/stub/stub_engine.h"
#include "tests/cli/e2e_support.h"
#include "tests/client/sim_world.h"

namespace kdp::cli::test {

// Sessions over the simulated network: a new debugger port for every session (from `first_port`),
// request keys from the seed (so a run replays exactly), every packet line kept for the failure
// report.
class SimSessionProvider final : public cli::SessionProvider {
 public:
  SimSessionProvider(sim::SimWorld& world, uint64_t seed, uint16_t first_port = 50000);
  // The world outlives providers (a killed process's, then a later one's): it must not call a gone one.
  ~SimSessionProvider();
  SimSessionProvider(const SimSessionProvider&) = delete;
  SimSessionProvider& operator=(const SimSessionProvider&) = delete;

  Expected<std::unique_ptr<client::Session>> open(const std::string& target, cli::AttachKind kind,
                                                  client::SessionOptions options) override;
  std::string last_packets() const;

 private:
  void keep(std::string line);

  sim::SimWorld& world_;
  std::mt19937_64 keys_;
  uint16_t next_port_;
  std::deque<std::string> lines_;
};

// kdp-sim's kernel with its defaults (tools/kdp-sim/main.cpp make_engine), restarting in three
// seconds of virtual time as a real machine never restarts at once; `adjust` changes the target
// and the script first (--no-bp-feature, --stop-after).
using KernelAdjust = std::function<void(stub::TargetConfig&, stub::ExecutionScript&)>;
stub::StubEngine demo_kernel(const KernelAdjust& adjust = {});
// The path the demo kernel's CPU walks after a resume.
std::vector<uint64_t> demo_path();

// What the tests' in-process runs give run_kdpctl: these sessions, this interrupt flag, no
// SIGINT handler, no agent.
CliContext in_process_context(SessionProvider* sessions, const std::atomic<bool>* interrupt);

// `kdpctl --state STATE ARGS...` in-process with `context`.
ProcessResult run_in_process(const CliContext& context, const std::string& state, const std::vector<std::string>& args);

}  // namespace kdp::cli::test
