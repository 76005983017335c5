// The state file's `select` line (gdb's selected thread and frame) and how a selection applies to
// registers: written by hand here, never by the serializer under test.
#include <doctest/doctest.h>

#include "cli/core/state.h"
#include "cli/frame_selection.h"

using namespace kdp;
using namespace kdp::cli;

TEST_CASE("select lines: frame only, frame and thread, round trip, malformed ones refused with their line") {
  auto frame_only = parse_state("format 1\nselect 0xffffff8000396210 0xffffff8000e03ec0 2\n", "s");
  REQUIRE(frame_only.has_value());
  REQUIRE(frame_only->selection.has_value());
  CHECK(frame_only->selection->stop_rip == 0xffffff8000396210);
  CHECK(frame_only->selection->stop_rsp == 0xffffff8000e03ec0);
  CHECK(frame_only->selection->frame == 2);
  CHECK(!frame_only->selection->thread);

  auto with_thread = parse_state("select 0x10 0x20 0 0xffffff8007a3c000 3 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8\n", "s");
  REQUIRE(with_thread.has_value());
  REQUIRE(with_thread->selection->thread.has_value());
  CHECK(with_thread->selection->thread->thread == 0xffffff8007a3c000);
  CHECK(with_thread->selection->thread->number == 3);
  CHECK(with_thread->selection->thread->saved == std::array<uint64_t, 8>{1, 2, 3, 4, 5, 6, 7, 8});
  auto again = parse_state(serialize_state(*with_thread), "s");
  REQUIRE(again.has_value());
  CHECK(*again == *with_thread);

  for (const char* bad : {"select 0x10 0x20\n", "select 0x10 0x20 x\n", "select 0x10 0x20 128\n",
                          "select 0x10 0x20 0 0x1 1 0x1\n"}) {
    auto refused = parse_state(std::string("format 1\n") + bad, "s");
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message().find("state file s:2") != std::string::npos);
  }
}

TEST_CASE("a selection holds only at the stop it was made at; a thread's saved registers replace the CPU's") {
  wire::X86ThreadState64 cpu;
  for (size_t i = 0; i < cpu.regs.size(); ++i) cpu.regs[i] = 0x1000 + i;
  Selection s;
  s.stop_rip = cpu.rip();
  s.stop_rsp = cpu.rsp();
  s.thread = SelectedThread{0xffffff8007a3c000, 4, {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7}};
  CHECK(current_selection(s, cpu).has_value());
  wire::X86ThreadState64 ran = cpu;
  ran.rip() += 1;  // the kernel ran since
  CHECK(!current_selection(s, ran).has_value());
  CHECK(!current_selection(std::nullopt, cpu).has_value());

  const wire::X86ThreadState64 t = thread_registers(s, cpu);
  // struct x86_kernel_state's order: rbx rsp rbp r12 r13 r14 r15 rip.
  CHECK(t.regs[1] == 0xb0);   // rbx
  CHECK(t.rsp() == 0xb1);
  CHECK(t.rbp() == 0xb2);
  CHECK(t.regs[12] == 0xb3);  // r12
  CHECK(t.regs[15] == 0xb6);  // r15
  CHECK(t.rip() == 0xb7);
  CHECK(t.regs[0] == cpu.regs[0]);    // rax: the CPU's, as kgmacros' switchtoact leaves it
  CHECK(t.rflags() == cpu.rflags());
  s.thread.reset();
  CHECK(thread_registers(s, cpu) == cpu);
}

TEST_CASE("a temporary breakpoint (tbreak) keeps its flag in the state file") {
  auto state = parse_state("breakpoint 1 0xffffff8000396210 hits 2 temporary\nbreakpoint 2 0x10 temporary\nbreakpoint 3 0x20\n", "s");
  REQUIRE(state.has_value());
  REQUIRE(state->breakpoints.entries().size() == 3);
  CHECK(state->breakpoints.entries()[0].temporary);
  CHECK(state->breakpoints.entries()[0].hits == 2);
  CHECK(state->breakpoints.entries()[1].temporary);
  CHECK(!state->breakpoints.entries()[2].temporary);
  auto again = parse_state(serialize_state(*state), "s");
  REQUIRE(again.has_value());
  CHECK(*again == *state);
  CHECK(!parse_state("breakpoint 1 0x10 temporary temporary\n", "s").has_value());
}
