// What the agent keeps between commands, end to end (real kdpctl processes, real kdp-sim on
// 127.0.0.1): the memory cache of the current stop, the breakpoints inserted, one agent per
// kernel however its address is spelled and however many clients start it at once, and an idle
// agent noticing that its kernel vanished.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "tests/cli/agent_cli.h"
#include "tests/cli/demo_world.h"

using namespace kdp::cli::test;

namespace {

// How many datagrams the -v packet log shows sent with this command name.
// Requests of this kind the command sent: distinct keys, since a retransmission (a machine under
// load easily outwaits a 1 ms timeout) repeats the same request.
size_t sent(const std::string& err, const std::string& command) {
  std::set<std::string> keys;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("--> ", 0) != 0 || line.find(command) == std::string::npos) continue;
    const size_t key = line.find(" key=");
    keys.insert(key == std::string::npos ? line : line.substr(key, line.find(' ', key + 1) - key));
  }
  return keys.size();
}

}  // namespace

TEST_CASE("agent: a second showalltasks at the same stop sends one KDP request, the proof that the kernel stayed") {
  const std::string world = demo_world_dir();
  if (!binaries_available() || world.empty()) return;
  Sim sim(serve_world_flags(world));
  REQUIRE(sim.ready());
  AgentCli cli;
  const std::string kernel = world + "/mach_kernel";
  REQUIRE(cli.run({"--kernel", kernel, "reattach", sim.target(), "--idle", "60"}).exit_code == 0);
  ProcessResult first = cli.run({"-v", "--kernel", kernel, "showalltasks"});
  INFO("first stderr tail: " << first.err.substr(first.err.size() > 300 ? first.err.size() - 300 : 0));
  REQUIRE(first.exit_code == 0);
  const RequestCount a = request_count(first.err);
  REQUIRE(a.found);
  CHECK(a.requests > 0);
  ProcessResult second = cli.run({"-v", "--kernel", kernel, "showalltasks"});
  CHECK(second.exit_code == 0);
  CHECK(second.out == first.out);
  const RequestCount b = request_count(second.err);
  REQUIRE(b.found);
  CHECK(b.requests == 1);
  CHECK(b.hits > 0);
  CHECK(sent(second.err, "") == 1);  // one datagram: the READREGS
  CHECK(sent(second.err, "KDP_READREGS") == 1);
  CHECK(cli.run({"detach"}).exit_code == 0);
}

TEST_CASE("agent: x of the same range at the same stop is served from the cache after one proving request; step and continue drop it") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli cli;
  REQUIRE(cli.reattach(sim.target()) > 0);
  const std::vector<std::string> examine = {"-v", "x/64gx", "0xffffff8000200000"};
  ProcessResult first = cli.run(examine);
  REQUIRE(first.exit_code == 0);
  CHECK(request_count(first.err).requests > 0);
  ProcessResult again = cli.run(examine);
  CHECK(again.out == first.out);
  CHECK(request_count(again.err).found);
  CHECK(request_count(again.err).requests == 1);  // the READREGS that proves the kernel stayed stopped
  CHECK(request_count(again.err).hits > 0);

  REQUIRE(cli.run({"step"}).exit_code == 0);
  ProcessResult after_step = cli.run(examine);
  CHECK(after_step.out == first.out);  // the kernel's code did not change, only the stop
  CHECK(request_count(after_step.err).requests > 1);
  CHECK(request_count(cli.run(examine).err).requests == 1);

  const std::string rip = rip_of(cli);
  REQUIRE(cli.run({"break", rip}).exit_code == 0);
  REQUIRE(cli.run({"continue"}).exit_code == 0);
  CHECK(request_count(cli.run(examine).err).requests > 1);
  CHECK(cli.run({"detach"}).exit_code == 0);
}

namespace {

// Breakpoint 1 at RIP hit once through the agent, then reads of the code under it. The kernel
// also stops by itself 2 s after every resume (--stop-after), for the continue without it.
void check_kept_breakpoint(bool kernel_managed) {
  std::vector<std::string> flags = {"--stop-after", "2000"};
  if (!kernel_managed) flags.push_back("--no-bp-feature");
  Sim sim(flags);
  REQUIRE(sim.ready());
  AgentCli cli;
  REQUIRE(cli.reattach(sim.target()) > 0);
  const std::string rip = rip_of(cli);
  REQUIRE(rip.size() == 18);
  const ProcessResult code_before = cli.run({"x/8bx", rip});
  REQUIRE(code_before.exit_code == 0);
  CHECK(cli.run({"break", rip}).exit_code == 0);
  CHECK(cli.run({"continue"}).out == "Continuing.\n\nBreakpoint 1, " + rip + " in ?? ()\n");

  // Kept inserted, yet reads show the original bytes; no breakpoint traffic between commands.
  ProcessResult read = cli.run({"-v", "x/8bx", rip});
  CHECK(read.out == code_before.out);
  CHECK(sent(read.err, "BREAKPOINT") + sent(read.err, "WRITEMEM") == 0);
  ProcessResult regs = cli.run({"-v", "regs"});
  CHECK(sent(regs.err, "BREAKPOINT") + sent(regs.err, "WRITEMEM") == 0);

  // The next continue only steps over it (one lift, one re-insert; direct mode inserts it
  // before and removes it after as well) and hits it again.
  ProcessResult next = cli.run({"-v", "continue"});
  CHECK(next.out == "Continuing.\n\nBreakpoint 1, " + rip + " in ?? ()\n");
  if (kernel_managed) {
    CHECK(sent(next.err, "BREAKPOINT64_SET") == 1);
    CHECK(sent(next.err, "BREAKPOINT64_REMOVE") == 1);
  } else {
    CHECK(sent(next.err, "BREAKPOINT") == 0);
    CHECK(sent(next.err, "WRITEMEM") == 2);
  }
  CHECK(cli.run({"x/8bx", rip}).out == code_before.out);

  // A deleted breakpoint comes out before the next resume, once.
  CHECK(cli.run({"delete"}).exit_code == 0);
  ProcessResult free_run = cli.run({"-v", "continue"});
  CHECK(free_run.exit_code == 0);
  CHECK(free_run.out.find("Breakpoint 1,") == std::string::npos);
  CHECK(sent(free_run.err, kernel_managed ? "BREAKPOINT64_REMOVE" : "WRITEMEM") == 1);
  CHECK(sent(free_run.err, "BREAKPOINT64_SET") == 0);
  CHECK(cli.run({"x/8bx", rip}).out == code_before.out);
  CHECK(cli.run({"detach"}).exit_code == 0);
}

}  // namespace

TEST_CASE("agent: breakpoints stay inserted between commands; reads show the bytes under them") {
  if (!binaries_available()) return;
  SUBCASE("kernel-managed (KDP_FEATURE_BP)") { check_kept_breakpoint(true); }
  SUBCASE("int3 written by the session") { check_kept_breakpoint(false); }
}

TEST_CASE("agent: an idle agent whose kernel vanished exits, and status no longer lists it") {
  if (!binaries_available()) return;
  auto sim = std::make_unique<Sim>();
  REQUIRE(sim->ready());
  const std::string target = sim->target();
  AgentCli cli;
  const ProcessResult attach = cli.run({"reattach", target, "--idle", "60"});
  INFO("reattach: exit " << attach.exit_code << "\n" << attach.err);
  REQUIRE(attach.exit_code == 0);
  INFO("status:\n" << cli.run({"status"}).out);
  REQUIRE(cli.agent_pid(target) > 0);
  sim.reset();  // kdp-sim is killed under the idle agent
  CHECK(cli.agent_gone(target));
  CHECK(cli.run({"status"}).out == "No agents.\n");
}

TEST_CASE("agent: two spellings of one target share one agent") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli cli;
  const int pid = cli.reattach(sim.target());
  REQUIRE(pid > 0);
  ProcessResult other = cli.run({"-v", "--target", "localhost:" + sim.port(), "hostinfo"});
  CHECK(other.exit_code == 0);
  CHECK(other.out == "cpus_mask:   0x3 (2 CPUs)\ncpu_type:    0x1000007 (x86_64)\ncpu_subtype: 4\n");
  CHECK(sent(other.err, "REATTACH") == 0);  // the held session answered: nobody took the kernel
  CHECK(cli.agent_pid(sim.target()) == pid);
  const std::string status = cli.run({"status"}).out;
  CHECK(std::count(status.begin(), status.end(), '\n') == 1);
  CHECK(cli.run({"--target", "localhost:" + sim.port(), "detach"}).exit_code == 0);
  CHECK(cli.agent_gone(sim.target()));
}

TEST_CASE("agent: two clients starting the agent at the same moment end with one agent") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli cli;
  const std::vector<std::string> hostinfo = {"-v", "--target", sim.target(), "--idle", "60", "hostinfo"};
  BackgroundProcess one(cli.argv(hostinfo), /*capture_stderr=*/true);
  BackgroundProcess two(cli.argv(hostinfo), /*capture_stderr=*/true);
  ProcessResult a = one.finish();
  ProcessResult b = two.finish();
  INFO("first stderr: " << a.err << "\nsecond stderr: " << b.err);
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  // One session: one REATTACH between them (a second agent would have taken the kernel).
  CHECK(sent(a.err, "REATTACH") + sent(b.err, "REATTACH") == 1);
  const std::string status = cli.run({"status"}).out;
  CHECK(std::count(status.begin(), status.end(), '\n') == 1);
  CHECK(cli.agent_pid(sim.target()) > 0);
  CHECK(cli.run({"--target", sim.target(), "detach"}).exit_code == 0);
  CHECK(cli.agent_gone(sim.target()));
}
