#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "cli/core/breakpoints.h"
#include "cli/core/stop_report.h"

using namespace kdp;
using namespace kdp::cli;

TEST_CASE("breakpoints are numbered like gdb and never reuse a number") {
  BreakpointList list;
  CHECK(list.add(0x1000).value() == Breakpoint{1, 0x1000, 0});
  CHECK(list.add(0x2000).value() == Breakpoint{2, 0x2000, 0});
  CHECK(list.remove(0x1000).value().number == 1);
  CHECK(list.add(0x1000).value().number == 3);
  REQUIRE(list.find(0x2000));
  CHECK(list.find(0x2000)->number == 2);
  CHECK(list.find(0x3000) == nullptr);
}

TEST_CASE("one breakpoint per address; removing an unknown address says so") {
  BreakpointList list;
  REQUIRE(list.add(0x1000));
  auto again = list.add(0x1000);
  REQUIRE_FALSE(again);
  CHECK(again.error().kind() == ErrorKind::kUsage);
  CHECK(again.error().message() == "breakpoint 1 is already at 0x1000");
  auto missing = list.remove(0x2000);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message() == "No breakpoint at 0x2000.");
}

TEST_CASE("hits are counted per breakpoint") {
  BreakpointList list;
  REQUIRE(list.add(0x1000));
  REQUIRE(list.add(0x2000));
  list.record_hit(0x2000);
  list.record_hit(0x2000);
  list.record_hit(0x3000);  // not a breakpoint: ignored
  CHECK(list.find(0x1000)->hits == 0);
  CHECK(list.find(0x2000)->hits == 2);
}

TEST_CASE("info breakpoints matches gdb's table") {
  BreakpointList list;
  CHECK(format_breakpoint_table(list, {}) == std::vector<std::string>{"No breakpoints or watchpoints."});
  REQUIRE(list.add(0x99999));
  REQUIRE(list.add(0x112d));
  list.record_hit(0x112d);
  REQUIRE(list.add(0x2000));
  list.record_hit(0x2000);
  list.record_hit(0x2000);
  const SymbolLookup symbols = [](uint64_t a) -> std::optional<SymbolHit> {
    if (a >= 0x1129 && a < 0x1140) return SymbolHit{"main", a - 0x1129};
    return std::nullopt;
  };
  // gdb 13.1 prints a trailing blank after an address with nothing in the What column.
  CHECK(format_breakpoint_table(list, symbols) ==
        std::vector<std::string>{"Num     Type           Disp Enb Address            What",
                                 "1       breakpoint     keep y   0x0000000000099999 ",
                                 "2       breakpoint     keep y   0x000000000000112d <main+4>",
                                 "\tbreakpoint already hit 1 time",
                                 "3       breakpoint     keep y   0x0000000000002000 ",
                                 "\tbreakpoint already hit 2 times"});
}

TEST_CASE("stop lines read like gdb's") {
  CHECK(gdb_breakpoint_line(1, 0xffffff8000201234, {}) == "Breakpoint 1, 0xffffff8000201234 in ?? ()");
  CHECK(gdb_frame_line(0x555555555133, {}) == "0x0000555555555133 in ?? ()");
  const SymbolLookup symbols = [](uint64_t a) -> std::optional<SymbolHit> { return SymbolHit{"kext_alloc", a & 0xff}; };
  CHECK(gdb_frame_line(0xffffff8000201210, symbols) == "0xffffff8000201210 in kext_alloc ()");
  CHECK(cpu_type_name(0x01000007) == "x86_64");
  CHECK(cpu_type_name(7) == "i386");
  CHECK(cpu_type_name(99) == "cpu type 0x63");
}
