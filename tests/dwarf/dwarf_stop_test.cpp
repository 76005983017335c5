// A breakpoint stop with the kernel's dSYM: kdp-sim serves a core whose CPU walks into the
// clang-built test kernel's kext_alloc, where `break kext_alloc` put the breakpoint, and `continue`
// prints gdb's source-level stop line. The line comes from llvm-dwarfdump's line table, the
// argument values from what the test stored in the frame.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "macho/core/core_file.h"
#include "tests/cli/e2e_support.h"
#include "tests/dwarf/dwarf_support.h"

using namespace kdp;
namespace fs = std::filesystem;

namespace {

void put(Bytes& mem, uint64_t at, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) mem[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

// The line whose row starts at `address` in llvm-dwarfdump's table, or 0.
uint32_t line_at(const std::vector<test::DumpedRow>& rows, uint64_t address) {
  for (const test::DumpedRow& row : rows)
    if (row.address == address && !row.end_sequence) return row.line;
  return 0;
}

}  // namespace

TEST_SUITE("needs-input") {

TEST_CASE("dwarf e2e: a breakpoint stop prints func (arg=value, ...) at file:line, as gdb does") {
  const std::string kernel = test::dwarf_kernel();
  if (kernel.empty() || !cli::test::binaries_available()) return;
  auto alloc = test::dwarfdump_function("kext_alloc");
  REQUIRE(alloc.has_value());
  REQUIRE(alloc->fbreg_params.size() == 3);

  // Where gdb breaks for `break kext_alloc`: past the prologue, at the first line-table row of
  // the function that belongs to another line than its opening one.
  const auto rows = test::dwarfdump_line_rows();
  const uint32_t opening = line_at(rows, alloc->low_pc);
  uint64_t bp = 0;
  uint32_t line = 0;
  for (const test::DumpedRow& row : rows)
    if (row.address > alloc->low_pc && !row.end_sequence && row.line != opening) {
      bp = row.address;
      line = row.line;
      break;
    }
  REQUIRE(opening != 0);
  REQUIRE(bp != 0);

  // The core: the code page around the breakpoint, and a stack whose frame holds the arguments.
  const uint64_t code = alloc->low_pc & ~uint64_t{0xfff};
  const uint64_t stack = 0xffffff8050000000, rbp = stack + 0x400;
  Bytes stack_bytes(0x1000, 0);
  put(stack_bytes, rbp - stack + alloc->fbreg_params[0].second, 0xffffff804650b5f0, 8);  // _addr
  put(stack_bytes, rbp - stack + alloc->fbreg_params[1].second, 0x3000, 8);              // size
  put(stack_bytes, rbp - stack + alloc->fbreg_params[2].second, 0, 4);                   // fixed
  macho::CoreFile core;
  core.segments.push_back({"", code, 0x2000, macho::kVmProtAll, macho::kVmProtAll, Bytes(0x2000, 0x90)});
  core.segments.push_back({"", stack, stack_bytes.size(), macho::kVmProtAll, macho::kVmProtAll, stack_bytes});
  wire::X86ThreadState64 regs{};
  regs.rip() = alloc->low_pc;
  regs.rbp() = rbp;
  regs.rsp() = rbp - 0x40;
  core.threads.push_back(regs);
  cli::test::TempDir dir;
  const std::string core_path = dir.file("stop.core");
  REQUIRE(macho::write_core_file(core, core_path).has_value());

  char script[64];
  std::snprintf(script, sizeof script, "0x%llx,0x%llx", static_cast<unsigned long long>(alloc->low_pc),
                static_cast<unsigned long long>(bp));
  const std::string version = "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; "
                              "root:xnu-1699.24.23~1/RELEASE_X86_64; UUID=" + test::dwarfdump_uuid();
  cli::test::Sim sim({"--core", core_path, "--kernel-version", version, "--script", script});
  REQUIRE(sim.ready());
  cli::test::Kdpctl cli;
  REQUIRE(cli.run({"--no-agent", "--kernel", kernel, "reattach", sim.target()}).exit_code == 0);
  auto set = cli.run({"--no-agent", "break", "kext_alloc"});
  CHECK(set.exit_code == 0);
  char at[32];
  std::snprintf(at, sizeof at, "0x%llx", static_cast<unsigned long long>(bp));
  CHECK(set.out == "Breakpoint 1 at " + std::string(at) + ": file kext_alloc.c, line " + std::to_string(line) + ".\n");
  auto stop = cli.run({"--no-agent", "continue"});
  INFO(stop.err);
  CHECK(stop.exit_code == 0);
  CHECK(stop.out == "Continuing.\n\nBreakpoint 1, kext_alloc (_addr=0xffffff804650b5f0, size=0x3000, fixed=0x0) at "
                    "kext_alloc.c:" + std::to_string(line) + "\n");
}

}  // TEST_SUITE
