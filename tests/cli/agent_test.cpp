// The session agent end to end: real kdpctl processes in agent mode against a real kdp-sim on
// 127.0.0.1, each test with its own runtime directory (KDPCTL_RUNTIME_DIR) so agents of other
// runs are never touched. Agents are started with --idle 60 so that none outlives a failed test
// for long.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>

#include <regex>
#include <thread>

#include "cli/agent/unix_socket.h"
#include "tests/cli/agent_cli.h"

using namespace kdp::cli::test;
using kdp::cli::agent::connect_unix;

namespace {

bool pid_alive(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

}  // namespace

TEST_CASE("agent: reattach starts it, commands reuse it, status lists it, detach ends it") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli cli;
  ProcessResult attached = cli.run({"reattach", sim.target(), "--idle", "60"});
  INFO("reattach stderr: " << attached.err);
  REQUIRE(attached.exit_code == 0);
  CHECK(contains(attached.out, "Attached to 127.0.0.1 (" + sim.target() + ") with KDP_REATTACH + KDP_CONNECT\n"));
  const int pid = cli.agent_pid(sim.target());
  REQUIRE(pid > 0);
  CHECK(pid_alive(pid));

  // The socket and its directory are private.
  struct stat st {};
  REQUIRE(::stat(cli.runtime().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  const std::string status = cli.run({"status"}).out;
  const size_t at = status.find("socket ");
  REQUIRE(at != std::string::npos);
  const std::string socket = status.substr(at + 7, status.find('\n', at) - at - 7);
  REQUIRE(::lstat(socket.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(contains(status, "session stopped"));

  // Same output as direct mode, from the same agent.
  CHECK(cli.run({"hostinfo"}).out == "cpus_mask:   0x3 (2 CPUs)\ncpu_type:    0x1000007 (x86_64)\ncpu_subtype: 4\n");
  CHECK(cli.run({"x/4wx", "0xffffff8000800100"}).out ==
        "0xffffff8000800100:\t0xcafebeef\t0xfeedface\t0x00000000\t0x00000001\n");
  ProcessResult unreadable = cli.run({"x/2gx", "0xffffff8000400000"});
  CHECK(unreadable.exit_code == 1);
  CHECK(unreadable.err == "kdpctl: Cannot access memory at address 0xffffff8000400000\n");
  CHECK(cli.agent_pid(sim.target()) == pid);  // reused, not restarted
  // The agent holds the kernel for kdpctl: connect uses that session (no CONNECT is sent).
  ProcessResult connect = cli.run({"-v", "connect"});
  CHECK(connect.exit_code == 0);
  CHECK(contains(connect.out, "with the session kdpctl already holds\n"));
  CHECK(!contains(connect.err, "--> KDP_CONNECT"));

  // Breakpoints and continue through the agent; dump -o relative to the client's directory.
  const std::string rip = rip_of(cli);
  REQUIRE(rip.size() == 18);
  CHECK(cli.run({"break", rip}).out == "Breakpoint 1 at " + rip + "\n");
  CHECK(cli.run({"continue"}).out == "Continuing.\n\nBreakpoint 1, " + rip + " in ?? ()\n");
  CHECK(cli.run({"step"}).out != "");
  CHECK(cli.run({"delete"}).out == "Deleted breakpoint 1\n");
  ProcessResult dump = run_process({"/bin/sh", "-c", "cd '" + cli.file("") + "' && " + [&] {
                                      std::string line;
                                      for (const std::string& a : cli.argv({"dump", "0xffffff8000200000", "4K", "-o", "out.bin"}))
                                        line += "'" + a + "' ";
                                      return line;
                                    }()});
  CHECK(dump.exit_code == 0);
  CHECK(dump.out == "Wrote 4096 bytes from 0xffffff8000200000 to out.bin\n");
  REQUIRE(::stat(cli.file("out.bin").c_str(), &st) == 0);
  CHECK(st.st_size == 4096);

  ProcessResult detach = cli.run({"detach"});
  CHECK(detach.out == "Detached from 127.0.0.1 (" + sim.target() + "); the kernel is running.\n");
  CHECK(cli.agent_gone(sim.target()));
  CHECK(::lstat(socket.c_str(), &st) != 0);  // it removed its socket
}

TEST_CASE("agent: a killed agent is noticed by the next command, which starts a fresh one") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli cli;
  const int pid = cli.reattach(sim.target());
  REQUIRE(pid > 0);
  const std::string status = cli.run({"status"}).out;
  const std::string socket = status.substr(status.find("socket ") + 7, status.find('\n') - status.find("socket ") - 7);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  // Dead once its socket refuses (a reaped-late zombie still answers kill(pid, 0)).
  for (int i = 0; i < 250 && connect_unix(socket, std::chrono::milliseconds(100)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ProcessResult next = cli.run({"hostinfo"});
  CHECK(next.exit_code == 0);
  CHECK(contains(next.err, "kdpctl: the agent for " + sim.target() + " is gone (stale socket "));
  CHECK(contains(next.err, "starting a fresh session"));
  CHECK(next.out == "cpus_mask:   0x3 (2 CPUs)\ncpu_type:    0x1000007 (x86_64)\ncpu_subtype: 4\n");
  const int fresh = cli.agent_pid(sim.target());
  CHECK(fresh > 0);
  CHECK(fresh != pid);
  ProcessResult quiet = cli.run({"version"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  CHECK(cli.run({"detach"}).exit_code == 0);
  CHECK(cli.agent_gone(sim.target()));
}

TEST_CASE("agent: after --idle without a command it exits and leaves the kernel stopped") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli cli;
  REQUIRE(cli.run({"reattach", sim.target(), "--idle", "0.5"}).exit_code == 0);
  const std::string rip = rip_of(cli);
  REQUIRE(rip.size() == 18);
  CHECK(cli.agent_gone(sim.target()));
  // Still stopped where it was: a new command (and a new agent) finds the same RIP.
  CHECK(rip_of(cli) == rip);
  CHECK(cli.run({"detach"}).exit_code == 0);
}

TEST_CASE("agent: Ctrl-C interrupts a continue in the agent; the stop that follows is the next continue's") {
  if (!binaries_available()) return;
  Sim sim({"--stop-after", "3000"});  // the kernel stops by itself 3 s after every resume
  REQUIRE(sim.ready());
  AgentCli cli;
  REQUIRE(cli.run({"reattach", sim.target(), "--idle", "60"}).exit_code == 0);
  BackgroundProcess waiting(cli.argv({"continue"}), /*capture_stderr=*/true);
  REQUIRE(waiting.first_line() == "Continuing.");
  waiting.signal(SIGINT);
  ProcessResult interrupted = waiting.finish();
  CHECK(interrupted.exit_code == 130);
  CHECK(contains(interrupted.err, "the kernel keeps running"));
  // The agent acknowledged the stop when it came; this continue reports it without resuming.
  ProcessResult next = cli.run({"continue"});
  CHECK(next.exit_code == 0);
  CHECK(next.out.rfind("Continuing.\n\nProgram received EXC_BREAKPOINT", 0) == 0);
  CHECK(cli.run({"regs"}).exit_code == 0);
  CHECK(cli.run({"detach"}).exit_code == 0);
  CHECK(cli.agent_gone(sim.target()));
}

TEST_CASE("agent: --no-agent and CI=true run commands directly; no agent starts") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli cli;
  CHECK(cli.run({"--no-agent", "reattach", sim.target()}).exit_code == 0);
  CHECK(cli.run({"status"}).out == "No agents.\n");
  std::vector<std::string> ci = cli.argv({"hostinfo"});
  ci[1] = "CI=true";  // the env assignment AgentCli puts first
  ProcessResult direct = run_process(ci);
  CHECK(direct.exit_code == 0);
  CHECK(direct.out == "cpus_mask:   0x3 (2 CPUs)\ncpu_type:    0x1000007 (x86_64)\ncpu_subtype: 4\n");
  CHECK(cli.run({"status"}).out == "No agents.\n");
}
