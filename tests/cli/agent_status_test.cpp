// kdpctl status removes the start locks ("<socket>.lock") that agents which are gone left behind,
// and only those: a lock someone holds stays.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

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
