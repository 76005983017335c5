// kdpctl end to end against hostile files and input (issue 11 §1-§3): device, FIFO and directory
// state files, dump into devices, pipes and symlinks, 20 writers at once, an unwritable or corrupt
// state file, a remembered kernel of another UUID, write errors on stdout, odd arguments.
#include <doctest/doctest.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <thread>

#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

namespace {

constexpr const char* kText = "0xffffff8000200000";  // the demo kernel's first byte (Mach-O header)

mode_t type_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & S_IFMT;
}

std::unique_ptr<Kdpctl> attached(const Sim& sim) {
  REQUIRE(sim.ready());
  auto cli = std::make_unique<Kdpctl>();
  REQUIRE(cli->run({"reattach", sim.target()}).exit_code == 0);
  return cli;
}

// kdpctl with its own --state (instead of the harness's private one).
ProcessResult run_with_state(const std::string& state, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kdpctl_path(), "--state", state};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

// `sh -c SCRIPT` for redirections the harness does not do (stdout to /dev/full).
ProcessResult shell(const std::string& script) { return run_process({"/bin/sh", "-c", script}); }

}  // namespace

TEST_CASE("--state that is a device, FIFO or directory: a clear error, nothing read without bound or replaced") {
  if (!binaries_available()) return;
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::filesystem::create_directories(dir.file("adir"));
  for (const std::string& state : {std::string("/dev/null"), std::string("/dev/zero"), std::string("/dev/full"), fifo,
                                   dir.file("adir")}) {
    CAPTURE(state);
    ProcessResult r = run_with_state(state, {"info", "breakpoints"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "kdpctl: state file: " + state + " is "));
    CHECK(contains(r.err, "not a regular file"));
  }
  CHECK(type_of("/dev/null") == S_IFCHR);
  CHECK(type_of("/dev/full") == S_IFCHR);
  CHECK(type_of(fifo) == S_IFIFO);
  CHECK(std::filesystem::is_directory(dir.file("adir")));
}

TEST_CASE("dump -o: /dev/full fails and stays a device; - and /dev/stdout stream; a symlink stays a symlink") {
  if (!binaries_available()) return;
  Sim sim;
  const auto cli = attached(sim);
  ProcessResult full = cli->run({"dump", kText, "16", "-o", "/dev/full"});
  CHECK(full.exit_code == 1);
  CHECK(contains(full.err, "cannot write /dev/full: "));
  CHECK(type_of("/dev/full") == S_IFCHR);

  ProcessResult dash = cli->run({"dump", kText, "16", "-o", "-"});
  CHECK(dash.exit_code == 0);
  CHECK(dash.out.size() == 16);
  CHECK(dash.out.substr(0, 4) == std::string("\xcf\xfa\xed\xfe", 4));  // MH_MAGIC_64, little-endian
  CHECK(contains(dash.err, "Wrote 16 bytes from 0xffffff8000200000 to -"));

  ProcessResult dev_stdout = cli->run({"dump", kText, "16", "-o", "/dev/stdout"});
  CHECK(dev_stdout.exit_code == 0);
  CHECK(dev_stdout.out == dash.out);

  std::ofstream(cli->file("target")) << "old contents";
  std::filesystem::create_symlink("target", cli->file("link"));
  ProcessResult linked = cli->run({"dump", kText, "16", "-o", cli->file("link")});
  CHECK(linked.exit_code == 0);
  CHECK(type_of(cli->file("link")) == S_IFLNK);
  CHECK(read_file(cli->file("target")) == dash.out);
}

TEST_CASE("20 kdpctl break at once on one state file: every breakpoint kept, numbers distinct") {
  if (!binaries_available()) return;
  // One simulated kernel per writer: the state file is what they share (a kernel takes one
  // debugger at a time, so 20 sessions on one kernel would test something else).
  constexpr int kWriters = 20;
  std::vector<std::unique_ptr<Sim>> sims;
  for (int i = 0; i < kWriters; ++i) {
    sims.push_back(std::make_unique<Sim>());
    REQUIRE(sims.back()->ready());
  }
  TempDir dir;
  const std::string state = dir.file("state");
  std::vector<ProcessResult> results(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] {
      char address[32];
      std::snprintf(address, sizeof address, "0xffffff80002%05x", 16 * (i + 1));
      results[static_cast<size_t>(i)] = run_with_state(state, {"--target", sims[static_cast<size_t>(i)]->target(), "break", address});
    });
  for (std::thread& t : writers) t.join();
  std::set<std::string> numbers;
  for (const ProcessResult& r : results) {
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("Breakpoint ", 0) == 0);
    numbers.insert(r.out.substr(0, r.out.find(' ', 11)));
  }
  CHECK(numbers.size() == kWriters);
  const std::string saved = read_file(state);
  size_t kept = 0;
  for (size_t at = saved.find("\nbreakpoint "); at != std::string::npos; at = saved.find("\nbreakpoint ", at + 1)) ++kept;
  CHECK(kept == kWriters);
}

TEST_CASE("a state file that cannot be saved: the result is printed, then the error (exit 1)") {
  if (!binaries_available()) return;
  const struct passwd* nobody = ::getpwnam("nobody");
  if (::geteuid() != 0 || nobody == nullptr) {
    MESSAGE("skipped: needs root (to run kdpctl as nobody against a root-owned state file)");
    return;
  }
  Sim sim;
  const auto cli = attached(sim);
  // The state's directory and file belong to root: nobody can read them, not replace them.
  ::chmod(cli->dir().c_str(), 0755);
  ::chmod(cli->state_path().c_str(), 0644);
  const std::string before = read_file(cli->state_path());
  ProcessResult r = run_process({"/usr/bin/env", "setpriv", "--reuid=" + std::to_string(nobody->pw_uid),
                                 "--regid=" + std::to_string(nobody->pw_gid), "--clear-groups", kdpctl_path(),
                                 "--state", cli->state_path(), "x/2gx", kText});
  if (r.exit_code == 127) {
    MESSAGE("skipped: no setpriv to run kdpctl as nobody");
    return;
  }
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "0xffffff8000200000:\t0x"));
  CHECK(contains(r.err, "the result is above, but the state could not be saved"));
  CHECK(read_file(cli->state_path()) == before);
}

TEST_CASE("a corrupt state file: reattach moves it aside and attaches; other commands name file and line") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl cli;
  std::ofstream(cli.state_path()) << "format 1\nbogus line\n";
  ProcessResult x = cli.run({"--target", sim.target(), "x/2gx", kText});
  CHECK(x.exit_code == 2);
  CHECK(contains(x.err, "state file " + cli.state_path() + ":2: unknown key \"bogus\""));
  ProcessResult r = cli.run({"reattach", sim.target()});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "; moved it to " + cli.state_path() + ".corrupt-"));
  CHECK(contains(read_file(cli.state_path()), "\ntarget " + sim.target() + "\n"));
  bool kept_aside = false;
  for (const auto& entry : std::filesystem::directory_iterator(cli.dir()))
    if (entry.path().filename().string().rfind("state.corrupt-", 0) == 0)
      kept_aside = read_file(entry.path().string()) == "format 1\nbogus line\n";
  CHECK(kept_aside);
}

#ifdef KDPCTL_MKKERNEL
TEST_CASE("a remembered kernel file of another UUID: x works with a warning, symbols are refused") {
  if (!binaries_available()) return;
  Sim sim;
  const auto cli = attached(sim);
  const std::string other = cli->file("other_kernel");
  REQUIRE(std::system((std::string(KDPCTL_MKKERNEL) + " --minimal " + other + " >/dev/null").c_str()) == 0);
  std::ofstream(cli->state_path(), std::ios::app) << "kernel " << other << "\n";
  ProcessResult x = cli->run({"x/2gx", kText});
  CHECK(x.exit_code == 0);
  CHECK(contains(x.out, "0xffffff8000200000"));
  CHECK(contains(x.err, "kdpctl: warning: not using the remembered kernel file: kernel UUID mismatch"));
  ProcessResult sym = cli->run({"break", "kernel_debug"});
  CHECK(sym.exit_code == 2);
  CHECK(contains(sym.err, "no symbols: kernel UUID mismatch"));
}
#endif

TEST_CASE("a kernel that reports no UUID: the kernel file is used, with a warning that it could not be checked") {
  if (!binaries_available() || demo_kernel_path().empty()) return;
  Sim sim({"--kernel-version", "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; "
                               "root:xnu-1699.24.23~1/RELEASE_X86_64"});
  const auto cli = attached(sim);
  ProcessResult x = cli->run({"--kernel", demo_kernel_path(), "x/2gx", kText});
  CHECK(x.exit_code == 0);
  CHECK(contains(x.err, "the running kernel reports no UUID, so " + demo_kernel_path() + " could not be checked"));
}

TEST_CASE("write errors on stdout fail the run") {
  if (!binaries_available()) return;
  ProcessResult version = shell("'" + kdpctl_path() + "' --version > /dev/full");
  CHECK(version.exit_code == 1);
  CHECK(contains(version.err, "kdpctl: cannot write the output to stdout"));
  Sim sim;
  const auto cli = attached(sim);
  ProcessResult remote = shell("'" + kdpctl_path() + "' --state '" + cli->state_path() + "' version > /dev/full");
  CHECK(remote.exit_code == 1);
}

TEST_CASE("kdp-sim --core that is a device or FIFO: refused with a clear error, nothing read without bound") {
  if (!binaries_available()) return;
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& core : {std::string("/dev/zero"), fifo}) {
    CAPTURE(core);
    ProcessResult sim = run_process({sim_path(), "--listen", "127.0.0.1:0", "--core", core});
    CHECK(sim.exit_code != 134);  // was std::bad_alloc after reading /dev/zero without bound
    CHECK(sim.exit_code != 0);
    CHECK(contains(sim.err, "core file " + core + " is not a regular file"));
  }
}

TEST_CASE("odd arguments: malformed decode, unknown info topic, negative numbers, decimal sizes, raw bytes") {
  if (!binaries_available()) return;
  Kdpctl cli;
  ProcessResult decode = cli.run({"decode", "01"});
  CHECK(decode.exit_code == 1);
  CHECK(contains(decode.out, "malformed (1 bytes)"));
  ProcessResult info = cli.run({"info", "frob"});
  CHECK(info.exit_code == 2);
  CHECK(contains(info.err, "(breakpoints, registers, symbol ADDR, line ADDR|FUNC, frame, threads)"));
  ProcessResult control = cli.run({"info", "\x1b[31mred\x07"});
  CHECK(control.err.find('\x1b') == std::string::npos);
  CHECK(contains(control.err, "\\x1b[31mred\\x07"));
  ProcessResult huge = cli.run({"info", std::string(100000, 'A')});
  CHECK(huge.err.size() < 300);
  CHECK(contains(huge.err, "(100000 bytes)"));

  Sim sim;
  const auto attached_cli = attached(sim);
  ProcessResult negative = attached_cli->run({"x/8gx", "-8"});
  // gdb reads -8 as 0xfffffffffffffff8 and reports that it cannot read there; so do we.
  CHECK(negative.exit_code == 1);
  CHECK_FALSE(contains(negative.err, "does not exist"));
  CHECK(contains(negative.err, "Cannot access memory at address 0xfffffffffffffff8"));
  ProcessResult dump = attached_cli->run({"dump", kText, "1.5K", "-o", attached_cli->file("d")});
  CHECK(dump.exit_code == 0);
  CHECK(std::filesystem::file_size(attached_cli->file("d")) == 1536);
  ProcessResult zero_kernel = attached_cli->run({"--kernel", "/dev/zero", "x/2gx", kText});
  CHECK(zero_kernel.exit_code == 2);  // was std::bad_alloc (134) after reading without bound
  CHECK(contains(zero_kernel.err, "kernel file /dev/zero is not a regular file (a character device); nothing read"));
}
