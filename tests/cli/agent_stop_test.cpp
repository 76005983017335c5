// `kdpctl agent stop [TARGET]` end to end (real kdpctl processes, kdp-sim on 127.0.0.1): the agent
// takes its int3s out of kernel memory and exits, its socket and start lock are gone, and the
// command says what it did; with no agent it says so and exits 1.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/cli/agent_cli.h"

using namespace kdp::cli::test;

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("agent stop: the agent's int3s leave kernel memory, its socket and lock go, and it says so") {
  if (!binaries_available()) return;
  AgentOnSim held(std::vector<std::string>{"--no-bp-feature", "--stop-after", "2000"});
  REQUIRE(held.pid > 0);
  AgentCli& cli = held.cli;
  const std::string target = held.sim.target();
  const std::string socket = agent_socket(cli, target);
  const HitAtRip hit = break_and_hit_at_rip(cli);
  REQUIRE(!hit.bytes_before.empty());
  const std::string& rip = hit.rip;
  REQUIRE(read_text(cli.file("state") + ".int3").find("\nint3 ") != std::string::npos);
  REQUIRE(exists(socket));
  REQUIRE(exists(socket + ".lock"));

  const ProcessResult stop = cli.run({"agent", "stop"});  // the remembered target
  INFO("stop: " << stop.out << stop.err);
  CHECK(stop.exit_code == 0);
  CHECK(stop.out == "Stopped the agent for 127.0.0.1:" + held.sim.port() + " (pid " + std::to_string(held.pid) +
                        "): took out 1 breakpoint (1 of them int3s written to memory: original bytes back, journal "
                        "entries gone); the kernel stays stopped.\nRemoved its socket " + socket +
                        " and start lock.\n");
  CHECK(!exists(socket));
  CHECK(!exists(socket + ".lock"));
  CHECK(read_text(cli.file("state") + ".int3").find("\nint3 ") == std::string::npos);
  CHECK(cli.agent_pid(target) == 0);
  // Kernel memory holds the original byte without any command restoring it: no write is sent.
  const ProcessResult direct = cli.run({"--no-agent", "-v", "x/2bx", rip});
  CHECK(direct.exit_code == 0);
  CHECK(direct.out == hit.bytes_before);
  CHECK(direct.err.find("WRITEMEM") == std::string::npos);
  CHECK(direct.err.find("asking the agent") == std::string::npos);

  const ProcessResult again = cli.run({"agent", "stop", target});
  CHECK(again.exit_code == 1);
  CHECK(again.out.empty());
  CHECK(again.err == "kdpctl: no agent is running for " + target + "\n");
  CHECK(cli.run({"--no-agent", "detach"}).exit_code == 0);
}

TEST_CASE("agent stop: a killed agent's socket and lock are removed and the command exits 1") {
  if (!binaries_available()) return;
  AgentOnSim held;
  REQUIRE(held.pid > 0);
  AgentCli& cli = held.cli;
  const std::string target = held.sim.target();
  const std::string socket = agent_socket(cli, target);
  REQUIRE(::kill(held.pid, SIGKILL) == 0);
  await_dead_socket(socket);
  REQUIRE(exists(socket));
  const ProcessResult stop = cli.run({"--json", "agent", "stop", target});
  CHECK(stop.exit_code == 1);
  CHECK(stop.err == "kdpctl: no agent is running for " + target + " (removed the socket a dead agent left, " +
                        socket + " and its start lock)\n");
  CHECK(stop.out.find("\"exit_code\":1") != std::string::npos);
  CHECK(!exists(socket));
  CHECK(!exists(socket + ".lock"));
}

TEST_CASE("agent stop is a documented command; a bare `agent` is a usage error") {
  if (!binaries_available()) return;
  AgentCli cli;
  CHECK(cli.run({"--help"}).out.find("  agent stop [TARGET]") != std::string::npos);
  const ProcessResult bare = cli.run({"agent", "start"});
  CHECK(bare.exit_code == 2);
  CHECK(bare.err.find("kdpctl agent stop [TARGET]") != std::string::npos);
}
