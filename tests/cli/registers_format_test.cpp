#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "cli/core/registers_format.h"

using namespace kdp;
using namespace kdp::cli;

namespace {
void set(wire::X86ThreadState64& s, std::string_view name, uint64_t v) {
  s.regs[*wire::X86ThreadState64::index_of(name)] = v;
}
}  // namespace

TEST_CASE("regs matches gdb 13.1 `info registers` for the same values") {
  wire::X86ThreadState64 s;
  set(s, "rax", 0x555555555129);
  set(s, "rbx", 0x7fffffffe6a8);
  set(s, "rdi", 0x1);
  set(s, "rbp", 0x7fffffffe590);
  set(s, "rsp", 0x7fffffffe590);
  set(s, "rip", 0x55555555512d);
  set(s, "rflags", 0x246);
  set(s, "cs", 0x33);
  const SymbolLookup symbols = [](uint64_t a) -> std::optional<SymbolHit> {
    if (a >= 0x555555555129 && a < 0x555555555140) return SymbolHit{"main", a - 0x555555555129};
    return std::nullopt;
  };
  const std::vector<std::string> lines = format_registers(s, symbols);
  REQUIRE(lines.size() == 21);
  // Lines copied from gdb's output for a stopped process with these register values.
  CHECK(lines[0] == "rax            0x555555555129      93824992235817");
  CHECK(lines[1] == "rbx            0x7fffffffe6a8      140737488348840");
  CHECK(lines[4] == "rsi            0x0                 0");
  CHECK(lines[5] == "rdi            0x1                 1");
  CHECK(lines[6] == "rbp            0x7fffffffe590      0x7fffffffe590");
  CHECK(lines[7] == "rsp            0x7fffffffe590      0x7fffffffe590");
  CHECK(lines[8] == "r8             0x0                 0");
  CHECK(lines[16] == "rip            0x55555555512d      0x55555555512d <main+4>");
  CHECK(lines[17] == "eflags         0x246               [ PF ZF IF ]");
  CHECK(lines[18] == "cs             0x33                51");
  CHECK(lines[19] == "fs             0x0                 0");
  CHECK(lines[20] == "gs             0x0                 0");
}

TEST_CASE("regs: negative values, full-width hex and unknown rip") {
  wire::X86ThreadState64 s;
  set(s, "rax", ~uint64_t{0});
  set(s, "rip", 0xffffff8000201234);
  const std::vector<std::string> lines = format_registers(s, {});
  CHECK(lines[0] == "rax            0xffffffffffffffff  -1");
  CHECK(lines[16] == "rip            0xffffff8000201234  0xffffff8000201234");
  CHECK(lines[17] == "eflags         0x0                 [ ]");
}

TEST_CASE("eflags names in gdb's bit order") {
  CHECK(gdb_eflags(0x54fd7) == "[ CF PF AF ZF SF TF IF DF OF NT RF AC ]");
  CHECK(gdb_eflags(0x302) == "[ TF IF ]");
  CHECK(gdb_eflags(0x3e0000) == "[ VM AC VIF VIP ID ]");
}
