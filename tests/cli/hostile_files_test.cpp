// Files that are not ours (issue 11 §1, §2): devices, FIFOs, symlinks, directories, unwritable
// directories, and many writers at once. Each case runs as root (how many run debuggers in VMs)
// and again in a child process that has become the unprivileged user `nobody`.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/core/atomic_file.h"
#include "cli/core/state.h"
#include "cli/core/state_lock.h"
#include "cli/core/user_text.h"

using namespace kdp;
using namespace kdp::cli;

namespace {

using Problems = std::vector<std::string>;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

mode_t type_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & S_IFMT;
}

Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

void expect(Problems& p, bool ok, const std::string& what) {
  if (!ok) p.push_back(what);
}

bool mentions(const Status& s, const std::string& part) {
  return !s && s.error().message().find(part) != std::string::npos;
}

// Every write case in `dir` (writable by the current user); returns what went wrong.
Problems write_cases(const std::string& dir) {
  Problems p;
  // Character devices are written in place, never replaced by a regular file.
  expect(p, bool(write_file("/dev/null", bytes_of("x"))), "writing /dev/null fails");
  expect(p, type_of("/dev/null") == S_IFCHR, "/dev/null is no longer a character device");
  Status full = write_file("/dev/full", bytes_of("x"));
  expect(p, mentions(full, "cannot write /dev/full"), "/dev/full: no write error");
  expect(p, type_of("/dev/full") == S_IFCHR, "/dev/full is no longer a character device");
  // A FIFO receives the bytes (a reader drains it) and stays a FIFO.
  const std::string fifo = dir + "/fifo";
  expect(p, ::mkfifo(fifo.c_str(), 0600) == 0, "mkfifo");
  std::string drained;
  std::thread reader([&] { drained = slurp(fifo); });
  expect(p, bool(write_file(fifo, bytes_of("through the pipe"))), "writing a FIFO fails");
  reader.join();
  expect(p, drained == "through the pipe", "the FIFO's reader got \"" + drained + "\"");
  expect(p, type_of(fifo) == S_IFIFO, "the FIFO was replaced");
  // A symlink stays a symlink; the file it points at (relative, in another directory) changes.
  std::filesystem::create_directories(dir + "/real");
  spit(dir + "/real/target", "old");
  ::chmod((dir + "/real/target").c_str(), 0640);
  std::filesystem::create_symlink("real/target", dir + "/link");
  expect(p, bool(write_file(dir + "/link", bytes_of("new"))), "writing through a symlink fails");
  expect(p, type_of(dir + "/link") == S_IFLNK, "the symlink was replaced by a file");
  expect(p, slurp(dir + "/real/target") == "new", "the symlink's target was not updated");
  struct stat st {};
  ::stat((dir + "/real/target").c_str(), &st);
  expect(p, (st.st_mode & 0777) == 0640, "the replaced file lost its permission bits");
  // A dangling symlink: the file it names is created.
  std::filesystem::create_symlink("real/created", dir + "/dangling");
  expect(p, bool(write_file(dir + "/dangling", bytes_of("made"))), "writing a dangling symlink fails");
  expect(p, slurp(dir + "/real/created") == "made" && type_of(dir + "/dangling") == S_IFLNK, "dangling symlink");
  // A directory is refused and left alone.
  std::filesystem::create_directories(dir + "/adir/inside");
  expect(p, mentions(write_file(dir + "/adir", bytes_of("x")), "is a directory"), "a directory is not refused");
  expect(p, std::filesystem::is_directory(dir + "/adir/inside"), "the directory was harmed");
  // A symlink loop is an error, not a hang.
  std::filesystem::create_symlink("loop2", dir + "/loop1");
  std::filesystem::create_symlink("loop1", dir + "/loop2");
  expect(p, mentions(write_file(dir + "/loop1", bytes_of("x")), "symlinks"), "a symlink loop is not reported");
  return p;
}

// Reads of anything but a regular file are refused without reading (no unbounded /dev/zero, no
// wait for a FIFO's writer); a regular file larger than the bound is refused too.
Problems read_cases(const std::string& dir) {
  Problems p;
  for (const char* device : {"/dev/zero", "/dev/full", "/dev/null"}) {
    auto read = read_regular_file(device, 1024);
    expect(p, !read && read.error().message().find("character device, not a regular file") != std::string::npos,
           std::string(device) + " is read");
    expect(p, !load_state(device), std::string("load_state(") + device + ") succeeds");
  }
  const std::string fifo = dir + "/rfifo";
  expect(p, ::mkfifo(fifo.c_str(), 0600) == 0, "mkfifo");
  auto from_fifo = load_state(fifo);  // no writer: must not block
  expect(p, !from_fifo && from_fifo.error().message().find("is a FIFO") != std::string::npos, "a FIFO is read");
  auto from_dir = load_state(dir);
  expect(p, !from_dir && from_dir.error().message().find("is a directory") != std::string::npos, "a directory is read");
  spit(dir + "/big", std::string(kMaxStateBytes + 1, '#'));
  auto big = load_state(dir + "/big");
  expect(p, !big && big.error().message().find("larger than") != std::string::npos, "an oversized state file is read");
  return p;
}

// A directory the current user cannot write: the write fails with a message, the file stays.
Problems unwritable_directory_case(const std::string& dir) {
  Problems p;
  const std::string locked = dir + "/locked";
  std::filesystem::create_directories(locked);
  spit(locked + "/state", "format 1\n");
  ::chmod(locked.c_str(), 0555);
  Status s = write_file(locked + "/state", bytes_of("format 1\ntarget x\n"));
  expect(p, mentions(s, "cannot create a temporary file in " + locked), "no error for an unwritable directory");
  expect(p, slurp(locked + "/state") == "format 1\n", "the file in the unwritable directory changed");
  Status updated = update_state(locked + "/state", [](State& st) -> Status {
    st.target = "elsewhere";
    return {};
  });
  expect(p, !updated, "update_state in an unwritable directory succeeds");
  ::chmod(locked.c_str(), 0755);
  return p;
}

std::string fresh_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "kdpctl-hostile-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

// Runs `cases` in a child that has become `nobody`; the child reports problems through a pipe.
// Returns false (and says why) when that is impossible here (not root, no such user).
bool run_as_nobody(const std::function<Problems(const std::string&)>& cases, Problems& problems) {
  const struct passwd* nobody = ::getpwnam("nobody");
  if (::geteuid() != 0 || nobody == nullptr) {
    MESSAGE("skipped the unprivileged run: needs root and a user named nobody");
    return false;
  }
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string report;
    if (::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0) {
      report = "cannot become nobody\n";
    } else {
      char pattern[] = "/tmp/kdpctl-nobody-XXXXXX";
      if (::mkdtemp(pattern) == nullptr) report = "mkdtemp as nobody\n";
      else
        for (const std::string& problem : cases(pattern)) report += problem + "\n";
      std::error_code ec;
      std::filesystem::remove_all(pattern, ec);
    }
    (void)!::write(fds[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  for (size_t at = 0, nl; (nl = report.find('\n', at)) != std::string::npos; at = nl + 1)
    problems.push_back("as nobody: " + report.substr(at, nl - at));
  return true;
}

void check_none(const Problems& problems) {
  for (const std::string& problem : problems) CHECK_MESSAGE(false, problem);
  CHECK(problems.empty());
}

}  // namespace

TEST_CASE("write_file: devices and FIFOs in place, symlinks followed, directories refused (root and nobody)") {
  const std::string dir = fresh_dir();
  check_none(write_cases(dir));
  std::filesystem::remove_all(dir);
  Problems as_nobody;
  if (run_as_nobody(write_cases, as_nobody)) check_none(as_nobody);
}

TEST_CASE("state files that are devices, FIFOs, directories or huge are refused before reading") {
  const std::string dir = fresh_dir();
  check_none(read_cases(dir));
  std::filesystem::remove_all(dir);
  Problems as_nobody;
  if (run_as_nobody(read_cases, as_nobody)) check_none(as_nobody);
}

TEST_CASE("an unwritable directory is an error and leaves the file alone (as nobody; root may write anywhere)") {
  Problems as_nobody;
  if (run_as_nobody(unwritable_directory_case, as_nobody)) check_none(as_nobody);
}

TEST_CASE("update_state: 20 threads adding breakpoints at once lose none and share no number") {
  const std::string dir = fresh_dir();
  const std::string path = dir + "/state";
  std::vector<std::thread> writers;
  std::vector<int> numbers(20, 0);
  for (int i = 0; i < 20; ++i)
    writers.emplace_back([&, i] {
      Status s = update_state(path, [&](State& st) -> Status {
        KDP_TRY(Breakpoint bp, st.breakpoints.add(0xffffff8000200000 + 16 * static_cast<uint64_t>(i)));
        numbers[static_cast<size_t>(i)] = bp.number;
        return {};
      });
      if (!s) numbers[static_cast<size_t>(i)] = -1;
    });
  for (std::thread& t : writers) t.join();
  const std::set<int> distinct(numbers.begin(), numbers.end());
  CHECK(distinct.size() == 20);
  CHECK(*distinct.begin() == 1);
  CHECK(*distinct.rbegin() == 20);
  auto kept = load_state(path);
  REQUIRE(kept);
  CHECK(kept->breakpoints.entries().size() == 20);
  std::filesystem::remove_all(dir);
}

TEST_CASE("update_state: a failing change leaves the file as it was; a lock file that is not a file is refused") {
  const std::string dir = fresh_dir();
  const std::string path = dir + "/state";
  spit(path, "format 1\ntarget keep\n");
  CHECK_FALSE(update_state(path, [](State& st) -> Status {
    st.target = "changed";
    return usage_error("no");
  }));
  CHECK(slurp(path) == "format 1\ntarget keep\n");
  std::filesystem::create_directories(dir + "/other.lock");
  CHECK_FALSE(StateLock::acquire(dir + "/other"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("set_aside_corrupt_state moves a broken file aside and leaves good, missing and device paths alone") {
  const std::string dir = fresh_dir();
  const std::string path = dir + "/state";
  CHECK_FALSE(set_aside_corrupt_state(path).value());  // missing
  spit(path, "format 1\n");
  CHECK_FALSE(set_aside_corrupt_state(path).value());  // fine
  CHECK_FALSE(set_aside_corrupt_state("/dev/null").value());
  spit(path, "format 1\nbogus key\n");
  auto moved = set_aside_corrupt_state(path);
  REQUIRE(moved);
  REQUIRE(moved->has_value());
  CHECK((*moved)->moved_to.rfind(path + ".corrupt-", 0) == 0);
  CHECK((*moved)->problem.find(path + ":2") != std::string::npos);
  CHECK(slurp((*moved)->moved_to) == "format 1\nbogus key\n");
  CHECK_FALSE(std::filesystem::exists(path));
  std::filesystem::remove_all(dir);
}

TEST_CASE("quote_user_text: control bytes escaped, long text cut with its length") {
  CHECK(quote_user_text("x/8gx") == "\"x/8gx\"");
  CHECK(quote_user_text("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(quote_user_text("\x1b[31mred\x07") == "\"\\x1b[31mred\\x07\"");
  CHECK(quote_user_text("caf\xc3\xa9") == "\"caf\xc3\xa9\"");            // UTF-8 stays readable
  CHECK(quote_user_text("\xc2\x9b" "2J") == "\"\\xc2\\x9b2J\"");          // C1 CSI does not
  CHECK(quote_user_text(std::string(100000, 'A')) == "\"" + std::string(64, 'A') + "\"... (100000 bytes)");
  CHECK(printable_message("bad \x1b]0;title\x07 here") == "bad \\x1b]0;title\\x07 here");
  CHECK(printable_message(std::string(5000, 'B')).size() < 2100);
}
