#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/core/atomic_file.h"
#include "cli/core/state.h"

using namespace kdp;
using namespace kdp::cli;

namespace {

// A fresh directory under the system temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kdpctl-state-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string parse_error(const std::string& text) {
  auto s = parse_state(text, "/tmp/st");
  REQUIRE_FALSE(s);
  CHECK(s.error().kind() == ErrorKind::kUsage);
  return s.error().message();
}

State sample_state() {
  State s;
  s.target = "macvm:41139";
  s.kernel = "/Volumes/KDK/mach_kernel with spaces";
  s.retries = 12;
  s.timeout_ms = 2500;
  REQUIRE(s.breakpoints.add(0xffffff8000201234));
  REQUIRE(s.breakpoints.add(0xffffff8000205678));
  REQUIRE(s.breakpoints.remove(0xffffff8000201234));
  REQUIRE(s.breakpoints.add(0xffffff80002a0000));
  s.breakpoints.record_hit(0xffffff8000205678);
  s.examine = {'x', 'g', 4};
  s.next_address = 0xffffff8000200020;
  s.next_value = 4;
  s.planted.push_back({0xffffff8000201000, 0x55});
  KeptSession kept;
  kept.target = "macvm:41139";
  kept.point.local_port = 52311;
  kept.point.next_seq = 7;
  kept.point.connect_key = 0x9c2a11f0;
  kept.point.next_key = 0x9c2a11f9;
  kept.point.next_notification = 2;
  kept.point.target.version = 12;
  kept.point.target.feature = 1;
  kept.point.target.host_info = {0x3, 0x1000007, 0x4};
  kept.point.target.max_bytes = 1024;
  kept.point.target.kernel_version = "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; UUID=X";
  s.session = kept;
  return s;
}

}  // namespace

TEST_CASE("state survives serialize and parse unchanged") {
  const State s = sample_state();
  auto back = parse_state(serialize_state(s), "mem");
  REQUIRE(back);
  CHECK(*back == s);
  CHECK(back->breakpoints.next_number() == 4);  // numbers are never reused, as in gdb
  CHECK(back->breakpoints.entries()[0].hits == 1);

  State natural;
  natural.examine = {'\0', 'w', 2};
  auto natural_back = parse_state(serialize_state(natural), "mem");
  REQUIRE(natural_back);
  CHECK(*natural_back == natural);
  CHECK(parse_state(serialize_state(State{}), "mem").value() == State{});
}

TEST_CASE("state file format is line based text a human can read") {
  const std::string text = serialize_state(sample_state());
  CHECK(text.find("\ntarget macvm:41139\n") != std::string::npos);
  CHECK(text.find("\nbreakpoint 2 0xffffff8000205678 hits 1\n") != std::string::npos);
  CHECK(text.find("\nbreakpoint 3 0xffffff80002a0000\n") != std::string::npos);
  CHECK(text.find("\nkernel /Volumes/KDK/mach_kernel with spaces\n") != std::string::npos);
  CHECK(text.find("\nplanted 0xffffff8000201000 0x55\n") != std::string::npos);
  CHECK(text.find("\nprint.next 4\n") != std::string::npos);
  CHECK(text.find("\nsession macvm:41139 52311 7 0x9c2a11f0 0x9c2a11f9 2 12 0x1 0x3 0x1000007 0x4 1024 "
                  "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; UUID=X\n") != std::string::npos);
}

TEST_CASE("a kept session whose kernel version cannot be written on one line is not written") {
  State s = sample_state();
  s.session->point.target.kernel_version = "two\nlines";
  const std::string text = serialize_state(s);
  CHECK(text.find("\nsession ") == std::string::npos);
  auto back = parse_state(text, "mem");
  REQUIRE(back);
  CHECK(!back->session);
}

TEST_CASE("parsing tolerates comments, blank lines, CRLF and extra blanks") {
  auto s = parse_state("# hello\n\n  target   macvm  \r\nformat 1\r\nbreakpoint\t7\t0x10\n", "f");
  REQUIRE(s);
  CHECK(*s->target == "macvm");
  REQUIRE(s->breakpoints.entries().size() == 1);
  CHECK(s->breakpoints.entries()[0] == Breakpoint{7, 0x10, 0});
  CHECK(s->breakpoints.next_number() == 8);
}

TEST_CASE("malformed state names the file and line and says what is wrong") {
  CHECK(parse_error("format 1\nbogus 3\n") == "state file /tmp/st:2: unknown key \"bogus\"");
  CHECK(parse_error("format 2\n").find("state file /tmp/st:1: format 2 was written by a newer kdpctl") == 0);
  CHECK(parse_error("target\n") == "state file /tmp/st:1: target needs a value");
  CHECK(parse_error("target a b\n").find("takes one word") != std::string::npos);
  CHECK(parse_error("\n\nbreakpoint 1\n") ==
        "state file /tmp/st:3: expected \"breakpoint NUMBER ADDRESS [hits COUNT] [temporary]\"");
  CHECK(parse_error("breakpoint 1 0xzz\n") == "state file /tmp/st:1: invalid breakpoint address \"0xzz\"");
  CHECK(parse_error("breakpoint 1 0x10\nbreakpoint 1 0x20\n").find(":2: breakpoint number 1 is out of order") != std::string::npos);
  CHECK(parse_error("breakpoint 1 0x10\nbreakpoint 2 0x10\n").find(":2: two breakpoints at 0x10") != std::string::npos);
  CHECK(parse_error("breakpoint 5 0x10\nnext-breakpoint 3\n").find(":2: next breakpoint number 3 is already used") != std::string::npos);
  CHECK(parse_error("retries 0\n").find("outside 1..1000") != std::string::npos);
  CHECK(parse_error("retries 99999999999999999999999\n").find("does not fit in 64 bits") != std::string::npos);
  CHECK(parse_error("x.size q\n").find("not one of bhwg") != std::string::npos);
  CHECK(parse_error(std::string("target mac\0vm\n", 14)).find("control character 0x0") != std::string::npos);
  CHECK(parse_error("breakpoint 1 0x10 hits\n").find("expected") != std::string::npos);
  CHECK(parse_error("planted 0x10 0x100\n") == "state file /tmp/st:1: original byte 0x100 is not a byte");
  CHECK(parse_error("planted 0x10\n").find("expected \"planted ADDRESS ORIGINAL-BYTE\"") != std::string::npos);
  CHECK(parse_error("session macvm 52311 7\n") == "state file /tmp/st:1: session: expected connect key");
  CHECK(parse_error("session macvm 70000 7 1 1 0 12 1 3 7 4 1024\n") ==
        "state file /tmp/st:1: session: port 70000 is too large");
  CHECK(parse_error("session macvm 0 7 1 1 0 12 1 3 7 4 1024\n") == "state file /tmp/st:1: session: port 0");
  CHECK(parse_error("session macvm 5 256 1 1 0 12 1 3 7 4 1024\n") ==
        "state file /tmp/st:1: session: next seq 256 is too large");
}

TEST_CASE("load_state: a missing file is a fresh state, a malformed one an error") {
  TempDir dir;
  auto missing = load_state(dir.file("none"));
  REQUIRE(missing);
  CHECK(*missing == State{});

  write(dir.file("bad"), "format 1\ntarget\n");
  auto bad = load_state(dir.file("bad"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message() == "state file " + dir.file("bad") + ":2: target needs a value");

  auto directory = load_state(dir.file(""));
  REQUIRE_FALSE(directory);
  CHECK(directory.error().kind() == ErrorKind::kUsage);  // a path that is not a file: exit code 2
  CHECK(directory.error().message().find("is a directory, not a regular file") != std::string::npos);
}

TEST_CASE("save_state creates directories, writes atomically, keeps the file private") {
  TempDir dir;
  const std::string path = dir.file("a/b/state");
  const State s = sample_state();
  REQUIRE(save_state(path, s));
  auto back = load_state(path);
  REQUIRE(back);
  CHECK(*back == s);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("a/b")))
    CHECK(entry.path().filename() == "state");  // no temporary file left behind
}

TEST_CASE("a failed atomic write leaves the old file untouched") {
  TempDir dir;
  // A name of 250 bytes is fine, its temporary sibling "<name>.tmp.<pid>.<n>" is too long (NAME_MAX).
  const std::string path = dir.file(std::string(250, 'k'));
  write(path, "precious");
  const kdp::Bytes data = {'n', 'e', 'w'};
  Status st = write_file(path, data);
  REQUIRE_FALSE(st);
  CHECK(st.error().kind() == ErrorKind::kIo);
  CHECK(read_regular_file(path, 100).value() == "precious");
}

TEST_CASE("default state path follows KDPCTL_STATE, then XDG_STATE_HOME, then HOME") {
  CHECK(default_state_path("/x/st", "/xdg", "/home/u").value() == "/x/st");
  CHECK(default_state_path("", "/xdg", "/home/u").value() == "/xdg/kdpctl/state");
  CHECK(default_state_path(nullptr, nullptr, "/home/u").value() == "/home/u/.local/state/kdpctl/state");
  auto none = default_state_path(nullptr, "", nullptr);
  REQUIRE_FALSE(none);
  CHECK(none.error().kind() == ErrorKind::kUsage);
}
