// gdb's frame selection, tbreak, nexti and disassemble against kdp-sim's demo kernel, directly and
// through the session agent: the demo snapshot's CPU stopped in Debugger, called through panic ←
// kalloc_canblock ← kalloc ← kext_alloc (tools/fixtures/mksnapshot/demo_kernel.h); kdp-sim's
// default script walks the instructions from that RIP in a loop (tools/kdp-sim/default_script.cpp),
// the first of them a call. Expected texts are gdb's forms over those facts.
#include <doctest/doctest.h>

#include "tests/cli/agent_cli.h"

using namespace kdp::cli::test;

namespace {

constexpr const char* kDebuggerStop = "0xffffff8000396210";
const std::string kFrame1 = "#1  0xffffff80002df055 in panic+0x15 ()\n";

std::string json_rip(const std::string& json) {
  const size_t at = json.find("\"rip\":\"");
  return at == std::string::npos ? "" : json.substr(at + 7, 18);
}

// The selected frame lasts until the kernel runs: `frame 1` moves $pc, a step ends it.
template <class Cli>
void frame_until_step(const Cli& cli) {
  CHECK(cli.run({"--kernel", demo_kernel_path(), "frame", "1"}).out == kFrame1);
  CHECK(json_rip(cli.run({"--json", "regs", "rip"}).out) == "0xffffff80002df055");
  CHECK(cli.run({"--kernel", demo_kernel_path(), "frame"}).out == kFrame1);  // kept for the next command
  REQUIRE(cli.run({"step"}).exit_code == 0);
  const std::string rip = json_rip(cli.run({"--json", "regs", "rip"}).out);
  CHECK(rip != "0xffffff80002df055");
  CHECK(rip != kDebuggerStop);
  CHECK(cli.run({"--kernel", demo_kernel_path(), "frame"}).out.starts_with("#0  "));
}

}  // namespace

TEST_CASE("frame N through the agent and directly: kept between commands, ended by the kernel running") {
  if (!binaries_available() || demo_kernel_path().empty()) return;
  {
    Sim sim;
    REQUIRE(sim.ready());
    Kdpctl kdpctl;
    REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);
    frame_until_step(kdpctl);
  }
  AgentOnSim a;
  REQUIRE(a.pid != 0);
  frame_until_step(a.cli);
  CHECK(a.cli.run({"detach"}).exit_code == 0);
}

TEST_CASE("tbreak: gdb's temporary breakpoint, deleted when hit") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);
  CHECK(kdpctl.run({"tbreak", kDebuggerStop}).out == std::string("Temporary breakpoint 1 at ") + kDebuggerStop + "\n");
  CHECK(kdpctl.run({"info", "breakpoints"}).out ==
        std::string("Num     Type           Disp Enb Address            What\n1       breakpoint     del  y   ") +
            kDebuggerStop + " \n");
  CHECK(kdpctl.run({"continue"}).out == std::string("Continuing.\n\nTemporary breakpoint 1, ") + kDebuggerStop + " in ?? ()\n");
  CHECK(kdpctl.run({"info", "breakpoints"}).out == "No breakpoints or watchpoints.\n");
  CHECK(kdpctl.run({"--json", "tbreak", kDebuggerStop}).out ==
        std::string("{\"number\":2,\"address\":\"") + kDebuggerStop + "\",\"temporary\":true}\n");
}

TEST_CASE("nexti steps over the call at the stop: the kernel runs to the instruction after it") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);
  const std::string first = kdpctl.run({"x/2i", kDebuggerStop}).out;
  REQUIRE(first.starts_with(std::string("   ") + kDebuggerStop + ":\tcallq  0x"));
  const size_t second = first.find("\n   0x");
  REQUIRE(second != std::string::npos);
  const std::string next = first.substr(second + 4, 18);  // the instruction after the call
  const std::string byte = kdpctl.run({"x/bx", next}).out;
  CHECK(kdpctl.run({"ni"}).out == next + " in ?? ()\n");
  CHECK(json_rip(kdpctl.run({"--json", "regs"}).out) == next);
  CHECK(kdpctl.run({"x/bx", next}).out == byte);  // the breakpoint after the call is out again
  CHECK(kdpctl.run({"info", "breakpoints"}).out == "No breakpoints or watchpoints.\n");
  CHECK(kdpctl.run({"nexti"}).exit_code == 0);  // not a call: one step
  CHECK(json_rip(kdpctl.run({"--json", "regs"}).out) != next);
}

TEST_CASE("disassemble: gdb's dump of the function holding the pc, => on the pc") {
  if (!binaries_available() || demo_kernel_path().empty()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"--kernel", demo_kernel_path(), "reattach", sim.target()}).exit_code == 0);
  const std::string here = kdpctl.run({"disas"}).out;
  CHECK(here.starts_with("Dump of assembler code for function Debugger:\n   0xffffff8000396200 <+0>:\t"));
  CHECK(contains(here, std::string("\n=> ") + kDebuggerStop + " <+16>:\tcallq  0x"));
  CHECK(here.ends_with("\nEnd of assembler dump.\n"));
  const std::string kalloc = kdpctl.run({"disassemble", "kalloc"}).out;
  CHECK(kalloc.starts_with("Dump of assembler code for function kalloc:\n   0xffffff80002b0c40 <+0>:\t"));
  CHECK(!contains(kalloc, "=> "));
  CHECK(kdpctl.run({"frame", "3"}).exit_code == 0);  // kalloc's frame: its pc is marked
  CHECK(contains(kdpctl.run({"disas"}).out, "\n=> 0xffffff80002b0c55 <+21>:\t"));
  ProcessResult nowhere = kdpctl.run({"disassemble", "0x10"});
  CHECK(nowhere.exit_code != 0);
  CHECK(contains(nowhere.err, "No function contains specified address."));
}
