// kdpctl status: the start locks ("<socket>.lock") that agents which are gone left behind are removed,
// and only those (a lock someone holds stays); the session state is the one of this moment.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "tests/cli/agent_cli.h"

using namespace kdp::cli::test;

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("status removes stale agent start locks, not one that is held") {
  if (!binaries_available()) return;
  AgentCli cli;
  REQUIRE(::mkdir(cli.runtime().c_str(), 0700) == 0);
  const std::string stale = cli.runtime() + "/10.0.0.9_41139.sock.lock";
  const std::string held = cli.runtime() + "/10.0.0.8_41139.sock.lock";
  std::ofstream(stale).put('\n');
  const int fd = ::open(held.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);  // an agent starting right now
  ProcessResult status = cli.run({"status"});
  CHECK(status.exit_code == 0);
  CHECK(status.out == "No agents.\n");
  CHECK(!exists(stale));
  CHECK(exists(held));
  ::close(fd);
  CHECK(cli.run({"status"}).exit_code == 0);
  CHECK(!exists(held));  // released: stale now
}

namespace {

// The session `kdpctl status` shows for the agent of `target` ("stopped", "running", "none"), or "".
std::string session_shown(const AgentCli& cli, const std::string& target) {
  std::smatch m;
  const std::string out = cli.run({"status"}).out;
  const std::regex line(std::regex_replace(target, std::regex("\\."), "\\.") + "  pid [0-9]+  idle [0-9]+ s  session ([a-z]+)");
  return std::regex_search(out, m, line) ? std::string(m[1]) : "";
}

// Asks status until it shows `wanted` (bounded: a few hundred answers); the last answer.
std::string await_session_shown(const AgentCli& cli, const std::string& target, const std::string& wanted) {
  std::string shown;
  for (int i = 0; i < 200 && (shown = session_shown(cli, target)) != wanted; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  return shown;
}

}  // namespace

TEST_CASE("status says the session runs while a continue waits in the agent, and stopped once it is interrupted") {
  if (!binaries_available()) return;
  AgentOnSim held(std::vector<std::string>{"--stop-after", "600000"});
  REQUIRE(held.pid > 0);
  const std::string target = held.sim.target();
  CHECK(session_shown(held.cli, target) == "stopped");
  BackgroundProcess waiting(held.cli.argv({"continue"}), /*capture_stderr=*/true);
  REQUIRE(waiting.first_line() == "Continuing.");
  CHECK(await_session_shown(held.cli, target, "running") == "running");
  waiting.signal(SIGINT);
  CHECK(waiting.finish().exit_code == 130);
  // Interrupted, the kernel keeps running: the agent says so between commands as well.
  CHECK(session_shown(held.cli, target) == "running");
  // The text says that "running" cannot be checked: a running kernel answers no KDP request.
  CHECK(contains(held.cli.run({"status"}).out, "session running (as last seen: a running kernel answers no KDP)"));
  CHECK(held.cli.run({"agent", "stop"}).exit_code == 0);
}
