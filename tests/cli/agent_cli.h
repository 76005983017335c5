// kdpctl in agent mode for the agent's end-to-end tests, each with its own runtime directory
// (KDPCTL_RUNTIME_DIR) so agents of other runs are never touched.
#pragma once

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "cli/agent/agent_key.h"
#include "cli/agent/unix_socket.h"
#include "tests/cli/e2e_support.h"

namespace kdp::cli::test {

// kdpctl in agent mode (CI=false overrides a CI=true of the test runner).
class AgentCli {
 public:
  AgentCli() : runtime_(dir_.file("run")), state_(dir_.file("state")) {}

  std::vector<std::string> argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"/usr/bin/env", "CI=false", "KDPCTL_RUNTIME_DIR=" + runtime_, kdpctl_path(),
                                     "--state", state_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  ProcessResult run(const std::vector<std::string>& args) const { return run_process(argv(args)); }
  const std::string& runtime() const { return runtime_; }
  std::string file(const std::string& name) const { return dir_.file(name); }

  // `kdpctl reattach TARGET --idle 60` (no agent outlives a failed test for long): the new
  // agent's pid, or 0 when the reattach failed or no agent answers.
  int reattach(const std::string& target) const {
    return run({"reattach", target, "--idle", "60"}).exit_code == 0 ? agent_pid(target) : 0;
  }
  // The pid `kdpctl status` shows for `target`, or 0.
  int agent_pid(const std::string& target) const {
    const std::string out = run({"status"}).out;
    std::smatch m;
    const std::regex line(std::regex_replace(target, std::regex("\\."), "\\.") + "  pid ([0-9]+)  ");
    return std::regex_search(out, m, line) ? std::stoi(m[1]) : 0;
  }
  // Waits (bounded) until no agent answers for `target`; true when none does.
  bool agent_gone(const std::string& target) const {
    for (int i = 0; i < 200; ++i) {
      if (agent_pid(target) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

 private:
  TempDir dir_;
  std::string runtime_;
  std::string state_;
};

struct RequestCount {
  bool found = false;
  uint64_t requests = 0;
  uint64_t hits = 0;
};

// The -v summary that ends stderr: "kdpctl: N KDP requests (M cache hits)".
inline RequestCount request_count(const std::string& err) {
  std::smatch m;
  static const std::regex last("kdpctl: ([0-9]+) KDP requests? \\(([0-9]+) cache hits?\\)\n$");
  if (!std::regex_search(err, m, last)) return {};
  return {true, std::stoull(m[1]), std::stoull(m[2])};
}

// kdp-sim with `flags` and an agent holding it (the pid; 0 when something failed).
struct AgentOnSim {
  explicit AgentOnSim(const std::vector<std::string>& flags = {}) : sim(flags) {
    if (sim.ready()) pid = cli.reattach(sim.target());
  }
  Sim sim;
  AgentCli cli;
  int pid = 0;
};

inline std::string agent_socket(const AgentCli& cli, const std::string& target) {
  return kdp::cli::agent::socket_path(cli.runtime(), kdp::cli::agent::agent_key(target));
}

// Waits (bounded) until the agent's socket refuses: a killed agent's zombie still answers kill(pid, 0).
inline void await_dead_socket(const std::string& socket) {
  for (int i = 0; i < 250 && kdp::cli::agent::connect_unix(socket, std::chrono::milliseconds(100)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// RIP as `kdpctl --json regs` shows it ("0xffffff80..."), or "".
inline std::string rip_of(const AgentCli& cli) {
  const std::string json = cli.run({"--json", "regs"}).out;
  const size_t at = json.find("\"rip\":\"");
  return at == std::string::npos ? "" : json.substr(at + 7, 18);
}

// A breakpoint at RIP, set and hit through the agent, so its int3 stays in kernel memory between
// commands: `rip`, and the 2 bytes there as `x/2bx` showed them before (empty when a step failed).
struct HitAtRip {
  std::string rip;
  std::string bytes_before;
};
inline HitAtRip break_and_hit_at_rip(const AgentCli& cli) {
  HitAtRip hit{rip_of(cli), ""};
  if (hit.rip.size() != 18) return hit;
  const ProcessResult before = cli.run({"x/2bx", hit.rip});
  if (before.exit_code != 0 || cli.run({"break", hit.rip}).exit_code != 0 || cli.run({"continue"}).exit_code != 0)
    return hit;
  hit.bytes_before = before.out;
  return hit;
}

}  // namespace kdp::cli::test
