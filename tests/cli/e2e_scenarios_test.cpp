// kdpctl end to end, one situation per test: a kernel nobody holds, a stop that never comes,
// Ctrl-C, kernels without kernel-managed breakpoints, broken state files, usage errors.
#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

namespace {

// A private kdpctl attached to `sim`.
std::unique_ptr<Kdpctl> attached(const Sim& sim) {
  REQUIRE(sim.ready());
  auto cli = std::make_unique<Kdpctl>();
  REQUIRE(cli->run({"reattach", sim.target()}).exit_code == 0);
  return cli;
}

std::string rip_of(const Kdpctl& cli) {
  const std::string json = cli.run({"--json", "regs"}).out;
  const size_t at = json.find("\"rip\":\"");
  return at == std::string::npos ? "" : json.substr(at + 7, 18);
}

}  // namespace

TEST_CASE("connect attaches to a kernel nobody holds, by name through the resolver") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl cli;
  ProcessResult r = cli.run({"connect", "localhost:" + sim.port()});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "Attached to localhost (" + sim.target() + ") with KDP_CONNECT\n"));
  CHECK(contains(read_file(cli.state_path()), "\ntarget localhost:" + sim.port() + "\n"));
  CHECK(cli.run({"hostinfo"}).exit_code == 0);
}

TEST_CASE("connect after an earlier kdpctl command uses its session; another holder is refused by name") {
  if (!binaries_available()) return;
  Sim sim;
  const auto cli = attached(sim);
  REQUIRE(cli->run({"x/2gx", "0xffffff8000200000"}).exit_code == 0);
  ProcessResult ours = cli->run({"-v", "connect", sim.target()});
  CHECK(ours.exit_code == 0);
  CHECK(contains(ours.out, "with the session kdpctl already holds\n"));
  CHECK(!contains(ours.err, "--> KDP_CONNECT"));
  CHECK(contains(cli->run({"help", "connect"}).out, "the one the last command left) is\nsimply used again"));
  // A kdpctl with its own state file holds the kernel now: to this one, another debugger.
  const auto other = attached(sim);
  ProcessResult refused = cli->run({"connect", sim.target()});
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "KDPERR_ALREADY_CONNECTED"));
  CHECK(contains(refused.err, "Another debugger holds it (or a kdpctl with another state file): `kdpctl reattach` takes it over"));
  // The fix it names works.
  ProcessResult again = cli->run({"reattach", sim.target()});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "with KDP_REATTACH + KDP_CONNECT\n"));
}

TEST_CASE("IPv6 end to end: kdp-sim --listen [::1]:0, kdpctl reattach [::1]:PORT; --help says so") {
  if (!binaries_available()) return;
  Sim sim({}, true);
  REQUIRE(sim.ready());  // the loopback ::1 exists wherever the tests run (issue #11 §4)
  CHECK(sim.target() == "[::1]:" + sim.port());
  Kdpctl cli;
  ProcessResult r = cli.run({"reattach", sim.target()});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "Attached to ::1 ([::1]:" + sim.port() + ") with KDP_REATTACH + KDP_CONNECT\n"));
  CHECK(contains(read_file(cli.state_path()), "\ntarget [::1]:" + sim.port() + "\n"));
  ProcessResult x = cli.run({"x/2wx", "0xffffff8000200000"});
  CHECK(x.exit_code == 0);
  CHECK(contains(x.out, "0xfeedfacf"));
  CHECK(cli.run({"--target", "[::1]:" + sim.port(), "hostinfo"}).exit_code == 0);
  CHECK(contains(cli.run({"--help"}).out, "IPv6 [ADDR]:PORT"));
}

TEST_CASE("a name with a trailing root dot resolves: reattach localhost.:PORT") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl cli;
  ProcessResult r = cli.run({"reattach", "localhost.:" + sim.port()});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "Attached to localhost. (" + sim.target() + ") with KDP_REATTACH + KDP_CONNECT\n"));
}

TEST_CASE("--target overrides the remembered target; without either, a usage error") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl cli;
  ProcessResult none = cli.run({"regs"});
  CHECK(none.exit_code == 2);
  CHECK(contains(none.err, "no target: run `kdpctl reattach HOST[:PORT]` first"));
  CHECK(cli.run({"--target", sim.target(), "version"}).exit_code == 0);
  CHECK(read_file(cli.state_path()).empty());  // --target alone remembers nothing
  // Nothing listens on port 9: the ICMP port unreachable ends it at once (issue #11 §3).
  ProcessResult unreachable = cli.run({"--target", "127.0.0.1:9", "--timeout", "0.3", "regs"});
  CHECK(unreachable.exit_code == 1);
  CHECK(contains(unreachable.err, "kdpctl: reattach 127.0.0.1:9: nothing is listening on 127.0.0.1:9"));
}

TEST_CASE("continue --timeout: no stop in time is exit code 3, and says the kernel runs on") {
  if (!binaries_available()) return;
  Sim sim;
  const auto cli = attached(sim);
  ProcessResult r = cli->run({"--timeout", "0.5", "continue"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "Continuing.\n");
  CHECK(contains(r.err, "the kernel keeps running (KDP cannot stop it)"));
}

TEST_CASE("Ctrl-C ends a waiting continue with exit code 130") {
  if (!binaries_available()) return;
  Sim sim;
  const auto cli = attached(sim);
  BackgroundProcess waiting(cli->argv({"continue"}), /*capture_stderr=*/true);
  REQUIRE(waiting.first_line() == "Continuing.");
  waiting.signal(SIGINT);
  ProcessResult r = waiting.finish();
  CHECK(r.exit_code == 130);
  CHECK(contains(r.err, "the kernel keeps running"));
}

TEST_CASE("breakpoints on a kernel without KDP_FEATURE_BP are int3s kdpctl writes and takes back") {
  if (!binaries_available()) return;
  Sim sim({"--no-bp-feature"});
  const auto owner = attached(sim);
  const Kdpctl& cli = *owner;
  CHECK(contains(cli.run({"version"}).out, "Features: 0x0\n"));
  const std::string rip = rip_of(cli);
  REQUIRE(rip.size() == 18);
  const std::string original = cli.run({"x/bx", rip}).out;
  CHECK(cli.run({"break", rip}).out == "Breakpoint 1 at " + rip + "\n");
  const std::string hit = "Continuing.\n\nBreakpoint 1, " + rip + " in ?? ()\n";
  CHECK(cli.run({"continue"}).out == hit);
  CHECK(cli.run({"x/bx", rip}).out == original);  // the 0xCC was taken out again
  CHECK(cli.run({"continue"}).out == hit);
  CHECK(rip_of(cli) == rip);
  CHECK(read_file(cli.state_path()).find("planted") == std::string::npos);
}

TEST_CASE("--kernel: symbols in x, regs, x/i, break and stops; expressions over symbols") {
  if (!binaries_available()) return;
  if (demo_kernel_path().empty()) {
    MESSAGE("skipped: the demo kernel file is not part of this build");
    return;
  }
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl cli;
  REQUIRE(cli.run({"reattach", sim.target(), "--kernel", demo_kernel_path()}).exit_code == 0);
  CHECK(contains(read_file(cli.state_path()), "\nkernel " + demo_kernel_path() + "\n"));  // remembered
  const std::string rip = rip_of(cli);
  ProcessResult regs = cli.run({"regs"});
  CHECK(contains(regs.out, "\nrip            " + rip + "  " + rip + " <Debugger+16>\n"));
  CHECK(cli.run({"x/s", "version"}).out.rfind("0xffffff8000800000 <version>:\t\"Darwin Kernel Version 11.3.0", 0) == 0);
  // A variable is its value, as in gdb: &demo_magic is where it lives.
  CHECK(cli.run({"x/gx", "&demo_magic"}).out == "0xffffff8000800100 <demo_magic>:\t0xfeedfacecafebeef\n");
  // set var writes through the session and drops the cached bytes: x reads the new value.
  CHECK(cli.run({"print/x", "demo_magic"}).out == "$1 = 0xfeedfacecafebeef\n");
  CHECK(cli.run({"set", "var", "demo_magic", "=", "0x1234"}).exit_code == 0);
  CHECK(cli.run({"x/gx", "&demo_magic"}).out == "0xffffff8000800100 <demo_magic>:\t0x0000000000001234\n");
  CHECK(cli.run({"print/x", "demo_magic"}).out == "$2 = 0x1234\n");
  CHECK(cli.run({"set", "var", "*(char *)&demo_magic", "=", "0x7f"}).exit_code == 0);
  CHECK(cli.run({"print/x", "demo_magic"}).out == "$3 = 0x127f\n");
  CHECK(cli.run({"x/i", "$rip"}).out.rfind("   " + rip + " <Debugger+16>:\tcallq  0x", 0) == 0);
  CHECK(cli.run({"break", "Debugger+16"}).out == "Breakpoint 1 at " + rip + " <Debugger+16>\n");
  CHECK(cli.run({"continue"}).out == "Continuing.\n\nBreakpoint 1, " + rip + " in Debugger ()\n");
  CHECK(cli.run({"step"}).out.find(" in Debugger ()\n") == 18);
  // gdb's break *EXPR: the address the expression computes (kalloc's code), not a word read there.
  CHECK(cli.run({"break", "*kalloc+4"}).out == "Breakpoint 2 at 0xffffff80002b0c44 <kalloc+4>\n");
  ProcessResult unknown = cli.run({"x/gx", "no_such_symbol"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "no_such_symbol"));
  ProcessResult missing = cli.run({"--kernel", "/nonexistent/mach_kernel", "regs"});
  CHECK(missing.exit_code != 0);
  CHECK(contains(missing.err, "--kernel /nonexistent/mach_kernel"));
}

TEST_CASE("an int3 recorded as planted but no longer in memory is forgotten by the next session") {
  if (!binaries_available()) return;
  Sim sim({"--no-bp-feature"});
  const auto cli = attached(sim);
  std::ofstream(cli->state_path(), std::ios::app) << "planted 0xffffff8000396210 0x55\n";
  CHECK(cli->run({"x/bx", "0xffffff8000396210"}).exit_code == 0);
  CHECK(read_file(cli->state_path()).find("planted") == std::string::npos);
}

TEST_CASE("a malformed state file stops every command and is left as it was") {
  if (!binaries_available()) return;
  Kdpctl cli;
  const std::string garbage = "format 1\ntarget macvm\nbreakpoint one 0x10\n";
  std::ofstream(cli.state_path()) << garbage;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"x/4gx", "0x1000"}, {"info", "breakpoints"}, {"break", "0x10"}, {"delete"}}) {
    ProcessResult r = cli.run(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "kdpctl: state file " + cli.state_path() + ":3: invalid breakpoint number \"one\"\n");
  }
  CHECK(read_file(cli.state_path()) == garbage);
}

TEST_CASE("help, usage errors and --json errors") {
  if (!binaries_available()) return;
  Kdpctl cli;
  ProcessResult bare = run_process({kdpctl_path()});
  CHECK(bare.exit_code == 2);
  CHECK(contains(bare.out, "Commands:\n"));
  ProcessResult help = cli.run({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* command : {"reattach", "connect", "version", "hostinfo", "x/FMT", "regs", "break", "delete",
                              "info", "continue", "step", "detach", "reboot", "dumpinfo", "dump", "decode"})
    CHECK_MESSAGE(contains(help.out, std::string("\n  ") + command), command);
  CHECK(contains(help.out, "  2    usage error"));
  CHECK(contains(cli.run({"help", "dump"}).out, "-o, --output FILE"));
  CHECK(contains(cli.run({"x/4gx", "--help"}).out, "usage: kdpctl x/FMT [ADDR]"));
  ProcessResult bad_option = cli.run({"regs", "--frobnicate"});
  CHECK(bad_option.exit_code == 2);
  CHECK(contains(bad_option.err, "frobnicate"));
  ProcessResult extra = cli.run({"break", "1", "2"});
  CHECK(extra.exit_code == 2);
  CHECK(extra.err == "kdpctl: break: expected 1 argument (ADDR), got 2\n");
  ProcessResult json = cli.run({"--json", "delete", "0x10"});
  CHECK(json.exit_code == 2);
  CHECK(json.out == "{\"error\":{\"message\":\"No breakpoint at 0x10.\",\"exit_code\":2}}\n");
  CHECK(cli.run({"--version"}).out.rfind("kdpctl ", 0) == 0);
}
