// Output through the agent arrives as it is made (end to end: kdpctl processes, kdp-sim serving
// the demo world over a link slowed to a 10 ms round trip): a kgmacro's first lines reach the
// user while the walk goes on, Ctrl-C cancels it in the agent and the session stays usable, and a
// dump draws its progress bar on the client's terminal.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include "tests/cli/agent_cli.h"
#include "tests/cli/demo_world.h"

using namespace kdp::cli::test;

namespace {

std::vector<std::string> slowed_world(const std::string& world) {
  std::vector<std::string> flags = serve_world_flags(world);
  flags.insert(flags.end(), {"--delay", "5"});
  return flags;
}

}  // namespace

TEST_CASE("agent: showallstacks streams its first line before it ends; Ctrl-C cancels it, the session goes on") {
  const std::string world = demo_world_dir();
  if (!binaries_available() || world.empty()) return;
  Sim sim(slowed_world(world));
  REQUIRE(sim.ready());
  AgentCli cli;
  const std::string kernel = world + "/mach_kernel";
  REQUIRE(cli.run({"--kernel", kernel, "reattach", sim.target(), "--idle", "60"}).exit_code == 0);
  BackgroundProcess walk(cli.argv({"--kernel", kernel, "showallstacks"}), /*capture_stderr=*/true);
  const std::string first = walk.first_line();
  REQUIRE(!first.empty());
  // The first line came while the walk went on: the Ctrl-C that follows it cancels the walk.
  // (Printed all at once at the end, the command would be over and exit 0 with everything.)
  walk.signal(SIGINT);
  const ProcessResult cancelled = walk.finish();
  INFO("cancelled: " << cancelled.err);
  CHECK(cancelled.exit_code == 130);

  const ProcessResult whole = cli.run({"--kernel", kernel, "showallstacks"});
  CHECK(whole.exit_code == 0);
  CHECK(whole.out.size() > cancelled.out.size());
  CHECK(whole.out.compare(0, cancelled.out.size(), cancelled.out) == 0);  // what came first was right
  // The same as direct mode prints (the agent lets go first).
  const ProcessResult direct = cli.run({"--no-agent", "--kernel", kernel, "showallstacks"});
  CHECK(direct.exit_code == 0);
  CHECK(direct.out == whole.out);
}

TEST_CASE("agent: dump draws its progress bar on the client's terminal, not when stderr is a file") {
  if (!binaries_available() || ::access("/usr/bin/script", X_OK) != 0) return;
  AgentOnSim held;
  REQUIRE(held.pid > 0);
  const std::string rip = rip_of(held.cli);
  REQUIRE(rip.size() == 18);
  // util-linux script(1) gives the command a pseudo-terminal as stdin, stdout and stderr.
  std::string command;
  for (const std::string& word : held.cli.argv({"dump", rip, "0x40000", "-o", held.cli.file("tty.bin")}))
    command += "'" + word + "' ";
  const ProcessResult on_tty = run_process({"/usr/bin/script", "-qec", command, "/dev/null"});
  INFO("on a terminal: " << on_tty.out);
  CHECK(on_tty.exit_code == 0);
  CHECK(on_tty.out.find("\rdump " + rip + " [") != std::string::npos);
  CHECK(on_tty.out.find("] 100%  256.0 KiB of 256.0 KiB") != std::string::npos);
  const ProcessResult to_file = held.cli.run({"dump", rip, "0x40000", "-o", held.cli.file("file.bin")});
  CHECK(to_file.exit_code == 0);
  CHECK(to_file.err.find("\rdump") == std::string::npos);
  CHECK(held.cli.run({"agent", "stop"}).exit_code == 0);
}
