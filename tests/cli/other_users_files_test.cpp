// Other users' files (run as root, as debuggers in VMs often are): every writer of a user-named
// file (write_file for dump -o and the state file, update_state, the capture writer for --record)
// refuses a symlink protected_symlinks would not follow and a file another user owns, and creates
// kernel memory 0600. The other user is an unused uid; files are given to it with chown.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cli/core/atomic_file.h"
#include "cli/core/state.h"
#include "kdp/pcap/capture_writer.h"

using namespace kdp;
using namespace kdp::cli;

namespace {

constexpr uid_t kOtherUser = 54321;  // no such user on a test machine; only its number matters

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

struct stat stat_of(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st;
}

bool mentions(const Status& s, const std::string& part) {
  return !s && s.error().message().find(part) != std::string::npos;
}

// A /tmp-like directory (sticky, world-writable, owned by `owner`) holding root's `victim` file
// and `trap`, a symlink to it owned by `link_owner`.
struct StickyDir {
  std::string dir;
  std::string victim;
  std::string trap;

  StickyDir(uid_t owner, uid_t link_owner) {
    char pattern[] = "/tmp/kdpctl-sticky-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    dir = pattern;
    REQUIRE(::chmod(dir.c_str(), 01777) == 0);
    REQUIRE(::chown(dir.c_str(), owner, owner) == 0);
    victim = dir + "/victim";
    trap = dir + "/trap";
    spit(victim, "root's bytes");
    std::filesystem::create_symlink(victim, trap);
    REQUIRE(::lchown(trap.c_str(), link_owner, link_owner) == 0);
  }
  ~StickyDir() { std::filesystem::remove_all(dir); }
};

bool running_as_root() {
  if (::geteuid() == 0) return true;
  MESSAGE("skipped: giving files to another user needs root");
  return false;
}

Status write_capture(const std::string& path) {
  auto writer = kdp::pcap::CaptureWriter::create(path);
  if (!writer) return std::move(writer).error();
  return {};
}

}  // namespace

TEST_CASE("a symlink of another user in a sticky world-writable directory is never followed by a writer") {
  if (!running_as_root()) return;
  StickyDir tmp(0, kOtherUser);
  const Status dumped = write_file(tmp.trap, bytes_of("kernel memory"), 0600);
  CHECK(mentions(dumped, "refusing to follow the symlink " + tmp.trap));
  CHECK(mentions(dumped, "uid 54321"));
  State state;
  state.target = "10.0.0.1";
  CHECK(mentions(save_state(tmp.trap, state), "protected_symlinks"));
  CHECK(mentions(update_state(tmp.trap, [](State&) -> Status { return {}; }), "protected_symlinks"));
  CHECK(mentions(write_capture(tmp.trap), "protected_symlinks"));
  CHECK(slurp(tmp.victim) == "root's bytes");
  CHECK(S_ISLNK(stat_of(tmp.trap).st_mode));
}

TEST_CASE("symlinks protected_symlinks allows are followed: ours, the directory owner's, outside sticky dirs") {
  if (!running_as_root()) return;
  SUBCASE("the directory's owner made the link") {
    StickyDir tmp(kOtherUser, kOtherUser);
    CHECK(write_file(tmp.trap, bytes_of("new"), 0600));
    CHECK(slurp(tmp.victim) == "new");
  }
  SUBCASE("we made the link") {
    StickyDir tmp(kOtherUser, 0);
    CHECK(write_capture(tmp.trap));
    CHECK(slurp(tmp.victim).size() == 24);  // the pcap file header
  }
  SUBCASE("a directory that is not sticky") {
    StickyDir tmp(0, kOtherUser);
    REQUIRE(::chmod(tmp.dir.c_str(), 0777) == 0);
    CHECK(write_file(tmp.trap, bytes_of("new"), 0600));
    CHECK(slurp(tmp.victim) == "new");
  }
}

TEST_CASE("another user's file is never replaced or emptied, and stays theirs") {
  if (!running_as_root()) return;
  StickyDir tmp(0, 0);
  const std::string theirs = tmp.dir + "/theirs";
  spit(theirs, "their bytes");
  REQUIRE(::chown(theirs.c_str(), kOtherUser, kOtherUser) == 0);
  CHECK(mentions(write_file(theirs, bytes_of("kernel memory"), 0600), "refusing to replace " + theirs));
  CHECK(mentions(write_capture(theirs), "belongs to another user (uid 54321)"));
  State state;
  CHECK(mentions(save_state(theirs, state), "belongs to another user"));
  CHECK(slurp(theirs) == "their bytes");
  CHECK(stat_of(theirs).st_uid == kOtherUser);
}

TEST_CASE("dumps and captures are created readable by their owner only") {
  StickyDir tmp(::geteuid(), ::geteuid());
  const mode_t old_umask = ::umask(022);
  CHECK(write_file(tmp.dir + "/dump.bin", bytes_of("kernel memory"), 0600));
  CHECK(write_capture(tmp.dir + "/session.pcap"));
  ::umask(old_umask);
  CHECK((stat_of(tmp.dir + "/dump.bin").st_mode & 0777) == 0600);
  CHECK((stat_of(tmp.dir + "/session.pcap").st_mode & 0777) == 0600);
}
