// kdpctl without a target: --core reads the demo snapshot the build writes (build/demo.core) and
// --kernel alone reads the kernel file, as `gdb mach_kernel` does before attaching. Expected lines
// come from the demo kernel's description (tools/fixtures/mksnapshot/demo_kernel.h) and gdb's
// formats. The state file names no target, so nothing can reach a network.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

namespace {

bool offline_available() {
  if (!binaries_available()) return false;
  if (demo_core_path().empty() || demo_kernel_path().empty()) {
    MESSAGE("skipped: the demo core and kernel are not part of this build");
    return false;
  }
  return true;
}

// The demo's stopped thread (demo_kernel.h): rip on Debugger's call, four callers below it.
const std::string kDemoBacktrace =
    "#0  0xffffff8000396210 in Debugger+0x10 ()\n"
    "#1  0xffffff80002df055 in panic+0x15 ()\n"
    "#2  0xffffff800021c615 in kalloc_canblock+0x15 ()\n"
    "#3  0xffffff80002b0c55 in kalloc+0x15 ()\n"
    "#4  0xffffff8000210a15 in kext_alloc+0x15 ()\n";

const std::string kVersionLine =
    "0xffffff8000800000:\t\"Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; "
    "root:xnu-1699.24.23~1/RELEASE_X86_64\"\n";

}  // namespace

TEST_CASE("--core: x, bt, info symbol and regs from the core file, offline") {
  if (!offline_available()) return;
  Kdpctl kdpctl;
  const std::string core = demo_core_path();
  const std::string kernel = demo_kernel_path();

  ProcessResult bt = kdpctl.run({"--core", core, "--kernel", kernel, "bt"});
  CHECK(bt.exit_code == 0);
  CHECK(bt.out == kDemoBacktrace);
  // gdb's forms: bt N (the N innermost frames, then gdb's note), where and backtrace.
  ProcessResult two = kdpctl.run({"--core", core, "--kernel", kernel, "bt", "2"});
  CHECK(two.exit_code == 0);
  CHECK(two.out == "#0  0xffffff8000396210 in Debugger+0x10 ()\n"
                   "#1  0xffffff80002df055 in panic+0x15 ()\n"
                   "(More stack frames follow...)\n");
  CHECK(kdpctl.run({"--core", core, "--kernel", kernel, "bt", "5"}).out == kDemoBacktrace);
  CHECK(kdpctl.run({"--core", core, "--kernel", kernel, "where"}).out == kDemoBacktrace);
  CHECK(kdpctl.run({"--core", core, "--kernel", kernel, "backtrace", "1"}).out ==
        "#0  0xffffff8000396210 in Debugger+0x10 ()\n(More stack frames follow...)\n");
  ProcessResult full = kdpctl.run({"--core", core, "--kernel", kernel, "bt", "full"});
  CHECK(full.exit_code == 0);
  CHECK(full.out == kDemoBacktrace);
  CHECK(contains(full.err, "local variables are not read"));
  ProcessResult wrong = kdpctl.run({"--core", core, "bt", "zero"});
  CHECK(wrong.exit_code == 2);
  CHECK(contains(wrong.err, "bt: expected [N] [full], got \"zero\""));

  ProcessResult header = kdpctl.run({"--core", core, "x/2gx", "0xffffff8000200000"});
  CHECK(header.exit_code == 0);
  CHECK(header.out == "0xffffff8000200000:\t0x01000007feedfacf\t0x0000000200000003\n");  // MH_MAGIC_64, x86_64
  CHECK(kdpctl.run({"--core", core, "x/s", "0xffffff8000800000"}).out == kVersionLine);

  ProcessResult hole = kdpctl.run({"--core", core, "x/2gx", "0xffffff8000400000"});
  CHECK(hole.exit_code == 1);
  CHECK(hole.out.empty());
  CHECK(contains(hole.err, "kdpctl: Cannot access memory at address 0xffffff8000400000\n"));

  CHECK(kdpctl.run({"--core", core, "--kernel", kernel, "info", "symbol", "$rip"}).out == "Debugger + 16\n");
  CHECK(kdpctl.run({"--core", core, "--kernel", kernel, "info", "symbol", "kalloc+3"}).out == "kalloc + 3\n");

  ProcessResult regs = kdpctl.run({"--core", core, "regs"});
  CHECK(regs.exit_code == 0);
  CHECK(contains(regs.out, "rip            0xffffff8000396210  0xffffff8000396210\n"));

  ProcessResult verbose = kdpctl.run({"-v", "--core", core, "x/2gx", "0xffffff8000200000"});
  CHECK(verbose.err == "kdpctl: 0 KDP requests (core " + core + ": 1 reads)\n");

  ProcessResult both = kdpctl.run({"--core", core, "--target", "127.0.0.1:9", "bt"});
  CHECK(both.exit_code == 2);
  CHECK(contains(both.err, "--core reads a core file offline; it does not go with --target"));
  ProcessResult missing = kdpctl.run({"--core", kdpctl.file("nothing.core"), "bt"});
  CHECK(missing.exit_code == 2);
}

TEST_CASE("x/i is AT&T by default; --syntax intel and `set disassembly-flavor intel` switch") {
  if (!offline_available()) return;
  Kdpctl kdpctl;
  const std::vector<std::string> core = {"--core", demo_core_path(), "--kernel", demo_kernel_path()};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), core.begin(), core.end());
    return kdpctl.run(args);
  };
  // Every demo function starts push rbp; mov rbp,rsp; push rbx (demo_kernel.h).
  ProcessResult att = run({"x/3i", "kext_alloc"});
  CHECK(att.exit_code == 0);
  CHECK(att.out ==
        "   0xffffff8000210a00 <kext_alloc>:\tpushq  %rbp\n"
        "   0xffffff8000210a01 <kext_alloc+1>:\tmovq   %rsp,%rbp\n"
        "   0xffffff8000210a04 <kext_alloc+4>:\tpushq  %rbx\n");
  CHECK(run({"x/i", "$rip"}).out.rfind("   0xffffff8000396210 <Debugger+16>:\tcallq  0x", 0) == 0);

  CHECK(run({"--syntax", "intel", "x/2i", "kext_alloc"}).out ==
        "   0xffffff8000210a00 <kext_alloc>:\tpush   rbp\n"
        "   0xffffff8000210a01 <kext_alloc+1>:\tmov    rbp, rsp\n");
  CHECK(kdpctl.run({"set", "disassembly-flavor", "intel"}).exit_code == 0);
  CHECK(run({"x/i", "kext_alloc"}).out == "   0xffffff8000210a00 <kext_alloc>:\tpush   rbp\n");
  CHECK(run({"--syntax", "att", "x/i", "kext_alloc"}).out == "   0xffffff8000210a00 <kext_alloc>:\tpushq  %rbp\n");
  CHECK(kdpctl.run({"set", "disassembly-flavor", "att"}).exit_code == 0);
  CHECK(run({"x/i", "kext_alloc"}).out == "   0xffffff8000210a00 <kext_alloc>:\tpushq  %rbp\n");
  CHECK(kdpctl.run({"set", "disassembly-flavor", "masm"}).exit_code == 2);
  CHECK(run({"--syntax", "masm", "x/i", "kext_alloc"}).exit_code == 2);
}

TEST_CASE("--kernel without a target reads the kernel file, unslid, and says when it cannot") {
  if (!offline_available()) return;
  Kdpctl kdpctl;
  const std::string kernel = demo_kernel_path();
  CHECK(kdpctl.run({"--kernel", kernel, "info", "symbol", "kalloc"}).out == "kalloc\n");
  // The string at `version` (demo_kernel.h), labelled with its symbol as gdb does.
  CHECK(kdpctl.run({"--kernel", kernel, "x/s", "version"}).out ==
        "0xffffff8000800000 <version>:" + kVersionLine.substr(kVersionLine.find('\t')));
  CHECK(kdpctl.run({"--kernel", kernel, "x/2gx", "&_mh_execute_header"}).out ==
        "0xffffff8000200000 <_mh_execute_header>:\t0x01000007feedfacf\t0x0000000200000003\n");
  CHECK(kdpctl.run({"--kernel", kernel, "x/i", "kext_alloc"}).out ==
        "   0xffffff8000210a00 <kext_alloc>:\tpushq  %rbp\n");

  // The stack exists only in a running kernel (or its core).
  ProcessResult stack = kdpctl.run({"--kernel", kernel, "x/gx", "0xffffff8000e00000"});
  CHECK(stack.exit_code == 1);
  CHECK(contains(stack.err, "Cannot access memory at address 0xffffff8000e00000 (no target is attached"));
  ProcessResult bt = kdpctl.run({"--kernel", kernel, "bt"});
  CHECK(bt.exit_code == 2);
  CHECK(contains(bt.err, "no registers"));
  // Without any of target, core and kernel file there is nothing to read.
  ProcessResult none = kdpctl.run({"x/gx", "0x1000"});
  CHECK(none.exit_code == 2);
  CHECK(contains(none.err, "no target"));
}

TEST_CASE("-v ends with the count of KDP requests the command sent") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);
  ProcessResult r = kdpctl.run({"-v", "x/s", "0xffffff8000800000"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == kVersionLine);
  const size_t last = r.err.rfind("kdpctl: ");
  REQUIRE(last != std::string::npos);
  const std::string line = r.err.substr(last);
  // KERNELVERSION (going on with the conversation `reattach` left), then one READMEM64.
  CHECK(line == "kdpctl: 2 KDP requests (0 cache hits)\n");
  // Asked to take the kernel over, kdpctl does so, and the next command goes on from there.
  ProcessResult again = kdpctl.run({"-v", "reattach"});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.err, "--> KDP_REATTACH seq=0"));
  ProcessResult after = kdpctl.run({"-v", "x/s", "0xffffff8000800000"});
  CHECK(after.out == kVersionLine);
  CHECK(contains(after.err, "kdpctl: 2 KDP requests (0 cache hits)\n"));
  CHECK(!contains(after.err, "KDP_REATTACH"));
}

namespace {

// The port of the conversation the state file keeps ("session TARGET PORT ..."), or 0.
int kept_port(const std::string& state_text) {
  const size_t at = state_text.find("\nsession ");
  if (at == std::string::npos) return 0;
  std::istringstream line(state_text.substr(at + 9));
  std::string target;
  int port = 0;
  line >> target >> port;
  return port;
}

}  // namespace

TEST_CASE("one-shot commands go on with the kept conversation; a taken port means attaching afresh") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);
  const int port = kept_port(read_file(kdpctl.state_path()));
  REQUIRE(port > 0);
  ProcessResult resumed = kdpctl.run({"-v", "hostinfo"});
  CHECK(resumed.exit_code == 0);
  CHECK(!contains(resumed.err, "KDP_REATTACH"));
  CHECK(kept_port(read_file(kdpctl.state_path())) == port);

  // Someone else holds that port now: the next command attaches afresh from another port.
  const int blocker = ::socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(blocker >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(blocker, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  ProcessResult afresh = kdpctl.run({"-v", "hostinfo"});
  ::close(blocker);
  CHECK(afresh.exit_code == 0);
  CHECK(afresh.out == resumed.out);
  CHECK(contains(afresh.err, "cannot go on with the last session on port " + std::to_string(port)));
  CHECK(contains(afresh.err, "--> KDP_REATTACH seq=0"));
  CHECK(kept_port(read_file(kdpctl.state_path())) != port);

  // --target alone keeps nothing, detach ends the conversation.
  CHECK(kdpctl.run({"detach"}).exit_code == 0);
  CHECK(kept_port(read_file(kdpctl.state_path())) == 0);
}
