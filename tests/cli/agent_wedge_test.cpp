// The session agent against what users actually do (end to end: real kdpctl processes, real
// kdp-sim on 127.0.0.1): kill -9 of the agent on a kernel without kernel-managed breakpoints,
// targets that die and come back on the same port, twenty commands at once, idle connections,
// a dump into a FIFO nobody reads, and direct-mode commands while an agent holds the kernel.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <thread>

#include "cli/agent/agent_key.h"
#include "cli/agent/unix_socket.h"
#include "tests/cli/agent_cli.h"

using namespace kdp::cli::test;
namespace agent = kdp::cli::agent;

namespace {

const std::string kHostinfo = "cpus_mask:   0x3 (2 CPUs)\ncpu_type:    0x1000007 (x86_64)\ncpu_subtype: 4\n";

}  // namespace

TEST_CASE("agent: kill -9 of the agent leaves no int3 in a kernel without kernel-managed breakpoints") {
  if (!binaries_available()) return;
  AgentOnSim held(std::vector<std::string>{"--no-bp-feature", "--stop-after", "2000"});
  REQUIRE(held.pid > 0);
  Sim& sim = held.sim;
  AgentCli& cli = held.cli;
  const int pid = held.pid;
  const HitAtRip hit = break_and_hit_at_rip(cli);
  REQUIRE(!hit.bytes_before.empty());
  const std::string& rip = hit.rip;
  REQUIRE(::kill(pid, SIGKILL) == 0);
  await_dead_socket(agent_socket(cli, sim.target()));
  // The next command, direct or through a new agent, finds the original byte in kernel memory.
  const ProcessResult direct = cli.run({"--no-agent", "x/2bx", rip});
  CHECK(direct.exit_code == 0);
  CHECK(direct.out == hit.bytes_before);
  std::ifstream journal(cli.file("state") + ".int3");
  std::string text((std::istreambuf_iterator<char>(journal)), std::istreambuf_iterator<char>());
  CHECK(text.find("\nint3 ") == std::string::npos);
  CHECK(cli.run({"--no-agent", "detach"}).exit_code == 0);
}

TEST_CASE("agent: a target that died is never answered from the cache; back on the same port, it is served again") {
  if (!binaries_available()) return;
  auto sim = std::make_unique<Sim>();
  REQUIRE(sim->ready());
  const std::string port = sim->port();
  const std::string target = sim->target();
  AgentCli cli;
  REQUIRE(cli.run({"reattach", target, "--idle", "60", "--timeout", "2"}).exit_code == 0);
  const ProcessResult first = cli.run({"x/2gx", "0xffffff8000200000"});
  REQUIRE(first.exit_code == 0);
  sim.reset();
  const ProcessResult dead = cli.run({"x/2gx", "0xffffff8000200000"});
  INFO("with the target gone: exit " << dead.exit_code << "\n" << dead.out << dead.err);
  CHECK(dead.exit_code != 0);
  CHECK(dead.out.empty());
  const ProcessResult dead_again = cli.run({"hostinfo"});
  CHECK(dead_again.exit_code != 0);
  sim = std::make_unique<Sim>(std::vector<std::string>{"--listen", "127.0.0.1:" + port});
  REQUIRE(sim->ready());
  REQUIRE(sim->port() == port);
  const ProcessResult back = cli.run({"hostinfo"});
  INFO("back: exit " << back.exit_code << "\n" << back.err);
  CHECK(back.exit_code == 0);
  CHECK(back.out == kHostinfo);
  CHECK(cli.run({"detach"}).exit_code == 0);
}

TEST_CASE("agent: twenty cold commands at once all run, one after another, through one agent") {
  if (!binaries_available()) return;
  Sim sim({"--delay", "1"});
  REQUIRE(sim.ready());
  AgentCli cli;
  std::vector<std::unique_ptr<BackgroundProcess>> commands;
  for (int i = 0; i < 20; ++i)
    commands.push_back(std::make_unique<BackgroundProcess>(
        cli.argv({"--target", sim.target(), "--idle", "60", "hostinfo"}), /*capture_stderr=*/true));
  for (auto& command : commands) {
    const ProcessResult r = command->finish();
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == kHostinfo);
    CHECK(r.err.find("busy") == std::string::npos);
  }
  const std::string status = cli.run({"status"}).out;
  CHECK(std::count(status.begin(), status.end(), '\n') == 1);
  CHECK(cli.run({"--target", sim.target(), "detach"}).exit_code == 0);
}

TEST_CASE("agent: idle connections neither hold the agent up nor pass it off as another user's") {
  if (!binaries_available()) return;
  AgentOnSim held;
  REQUIRE(held.pid > 0);
  Sim& sim = held.sim;
  AgentCli& cli = held.cli;
  const int pid = held.pid;
  std::vector<agent::Fd> idle;
  for (int i = 0; i < 20; ++i) {
    auto fd = agent::connect_unix(agent_socket(cli, sim.target()), std::chrono::milliseconds(2000));
    REQUIRE(fd);
    idle.push_back(std::move(*fd));
  }
  const ProcessResult next = cli.run({"hostinfo"});
  INFO("stderr: " << next.err);
  CHECK(next.exit_code == 0);
  CHECK(next.out == kHostinfo);
  CHECK(next.err.empty());
  CHECK(cli.agent_pid(sim.target()) == pid);
  CHECK(cli.run({"detach"}).exit_code == 0);
}

TEST_CASE("agent: dump -o FIFO with no reader holds only its own client; status names the agent, ^C ends the dump") {
  if (!binaries_available()) return;
  AgentOnSim held;
  REQUIRE(held.pid > 0);
  Sim& sim = held.sim;
  AgentCli& cli = held.cli;
  const int pid = held.pid;
  const std::string fifo = cli.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  BackgroundProcess blocked(cli.argv({"dump", "0xffffff8000200000", "4096", "-o", fifo}), /*capture_stderr=*/true);
  // Whether or not the dump got to the FIFO yet, the agent answers status and runs the next
  // command (after the dump, which needs a reader: this one).
  const std::string status = cli.run({"status"}).out;
  CHECK(status.find("pid " + std::to_string(pid)) != std::string::npos);
  CHECK(status.find("stale") == std::string::npos);
  blocked.signal(SIGINT);
  const ProcessResult interrupted = blocked.finish(std::chrono::seconds(20));
  CHECK(interrupted.exit_code != 0);
  CHECK_FALSE(interrupted.timed_out);
  const ProcessResult next = cli.run({"hostinfo"});
  CHECK(next.exit_code == 0);
  CHECK(next.out == kHostinfo);
  CHECK(cli.agent_pid(sim.target()) == pid);

  // With a reader, the bytes stream through the client into the FIFO; the summary goes to stderr.
  BackgroundProcess reader({"/bin/sh", "-c", "wc -c < '" + fifo + "'"});
  const ProcessResult dump = cli.run({"dump", "0xffffff8000200000", "4096", "-o", fifo});
  CHECK(dump.exit_code == 0);
  CHECK(dump.err == "Wrote 4096 bytes from 0xffffff8000200000 to " + fifo + "\n");
  CHECK(reader.finish().out == "4096\n");
  CHECK(cli.run({"detach"}).exit_code == 0);
}

TEST_CASE("agent: -v reattach through a live agent takes the kernel over anew") {
  if (!binaries_available()) return;
  AgentOnSim held;
  REQUIRE(held.pid > 0);
  Sim& sim = held.sim;
  AgentCli& cli = held.cli;
  const int pid = held.pid;
  const ProcessResult again = cli.run({"-v", "reattach", sim.target()});
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("--> KDP_REATTACH") != std::string::npos);
  CHECK(again.err.find("--> KDP_CONNECT") != std::string::npos);
  CHECK(cli.agent_pid(sim.target()) == pid);
  CHECK(cli.run({"detach"}).exit_code == 0);
}

TEST_CASE("agent: --no-agent and --record commands ask the agent holding the kernel to let go first") {
  if (!binaries_available()) return;
  AgentOnSim held(std::vector<std::string>{"--no-bp-feature"});
  REQUIRE(held.pid > 0);
  Sim& sim = held.sim;
  AgentCli& cli = held.cli;
  const std::string rip = rip_of(cli);
  REQUIRE(rip.size() == 18);
  const ProcessResult code = cli.run({"x/2bx", rip});
  REQUIRE(cli.run({"break", rip}).exit_code == 0);
  REQUIRE(cli.run({"step"}).exit_code == 0);  // inserted: the agent keeps the int3 in memory
  const ProcessResult direct = cli.run({"--no-agent", "x/2bx", rip});
  INFO("direct: " << direct.err);
  CHECK(direct.exit_code == 0);
  CHECK(direct.out == code.out);  // the agent took its int3 out before it let go
  CHECK(direct.err.find("another debugger") == std::string::npos);
  CHECK(cli.agent_gone(sim.target()));

  REQUIRE(cli.reattach(sim.target()) > 0);
  const ProcessResult recorded = cli.run({"--record", cli.file("s.pcap"), "hostinfo"});
  CHECK(recorded.exit_code == 0);
  CHECK(recorded.out == kHostinfo);
  CHECK(cli.agent_gone(sim.target()));
  CHECK(cli.run({"--no-agent", "detach"}).exit_code == 0);
}
