// kdpctl with the clang-built test kernel and its .dSYM beside it: ptype from DWARF, info line,
// list with and without --source-dir, bt over a core whose stack runs kext_alloc <- kmod_start,
// and a dSYM of another UUID refused. Expected texts are gdb's formats written here; addresses,
// lines and frame offsets come from llvm-dwarfdump; argument values from what the test stored.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

#include "macho/core/core_file.h"
#include "tests/cli/e2e_support.h"
#include "tests/cli/process.h"
#include "tests/dwarf/dwarf_support.h"

using namespace kdp;
namespace fs = std::filesystem;

namespace {

cli::test::ProcessResult kdpctl(std::vector<std::string> args) {
  args.insert(args.begin(), {KDPCTL_DWARF_KDPCTL, "--no-agent", "--state", "/nonexistent-dir/kdpctl-state"});
  return cli::test::run_process(args, {"KDPCTL_STATE=/nonexistent-dir/kdpctl-state"});
}

std::string hex16(uint64_t v) { return cli::test::padded_hex_of(v); }
std::string hex0(uint64_t v) { return cli::test::hex_of(v); }

// A row of `line` that is not its line's first: a return address there looks up (pc-1) in `line`.
uint64_t inner_row_of(const std::vector<test::DumpedRow>& rows, uint32_t line) {
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i].line == line && rows[i - 1].line == line && !rows[i].end_sequence && rows[i].address > rows[i - 1].address)
      return rows[i].address;
  return 0;
}

void put(Bytes& mem, uint64_t at, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) mem[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace

TEST_SUITE("needs-input") {

TEST_CASE("dwarf e2e: ptype, info line and list from the dSYM beside --kernel") {
  const std::string kernel = test::dwarf_kernel();
  if (kernel.empty()) return;
  auto ptype = kdpctl({"--kernel", kernel, "ptype", "struct", "proc"});
  CHECK(ptype.exit_code == 0);
  CHECK(ptype.out.find("    pid_t p_pid;\n") != std::string::npos);

  auto f = test::dwarfdump_function("kext_alloc");
  REQUIRE(f.has_value());
  const auto rows = test::dwarfdump_line_rows();
  // The function's first row: its opening line, up to the next row of another line.
  uint32_t line = 0;
  uint64_t end = 0;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].address == f->low_pc && line == 0) {
      line = rows[i].line;
      for (size_t j = i + 1; j < rows.size() && end == 0; ++j)
        if (rows[j].line != line || rows[j].end_sequence) end = rows[j].address;
    }
  REQUIRE(line != 0);
  auto info = kdpctl({"--kernel", kernel, "info", "line", "kext_alloc"});
  CHECK(info.exit_code == 0);
  CHECK(info.out == "Line " + std::to_string(line) + " of \"kext_alloc.c\" starts at address " + hex0(f->low_pc) +
                        " <kext_alloc> and ends at " + hex0(end) + " <kext_alloc+" + std::to_string(end - f->low_pc) + ">.\n");

  // gdb's list FUNC: ten lines, the declaration line sixth; the text is the file's own.
  auto listed = kdpctl({"--kernel", kernel, "--source-dir", KDPCTL_DWARF_SOURCES, "list", "kext_alloc"});
  CHECK(listed.exit_code == 0);
  std::ifstream source(std::string(KDPCTL_DWARF_SOURCES) + "/kext_alloc.c");
  std::vector<std::string> lines;
  for (std::string l; std::getline(source, l);) lines.push_back(l);
  const uint32_t decl = 9;  // `int kext_alloc(...)` in kext_alloc.c
  REQUIRE(lines.size() > decl + 4);
  REQUIRE(lines[decl - 1].starts_with("int kext_alloc("));
  std::string expected;
  for (uint32_t n = decl - 5; n <= decl + 4; ++n) expected += std::to_string(n) + "\t" + lines[n - 1] + "\n";
  CHECK(listed.out == expected);

  // Past the end of the file: gdb's error, naming the window's first line and the file's length.
  auto beyond = kdpctl({"--kernel", kernel, "--source-dir", KDPCTL_DWARF_SOURCES, "list", "kext_alloc.c:500"});
  CHECK(beyond.exit_code != 0);
  CHECK(beyond.out.empty());
  CHECK(beyond.err.find("Line number 495 out of range; \"kext_alloc.c\" has " + std::to_string(lines.size()) +
                        " lines.") != std::string::npos);

  auto no_source = kdpctl({"--kernel", kernel, "list", "kext_alloc"});
  CHECK(no_source.exit_code == 0);
  CHECK(no_source.out == std::to_string(decl - 5) + "\tkext_alloc.c: No such file or directory.\n");

  // The kernel alone, away from its dSYM: no debug information, and how to give it; then --dsym.
  const fs::path alone = fs::temp_directory_path() / ("kdpctl-dwarf-alone-" + std::to_string(::getpid()));
  fs::create_directories(alone);
  fs::copy_file(kernel, alone / "mach_kernel", fs::copy_options::overwrite_existing);
  auto no_dsym = kdpctl({"--kernel", (alone / "mach_kernel").string(), "info", "line", "kext_alloc"});
  auto no_dsym_list = kdpctl({"--kernel", (alone / "mach_kernel").string(), "list", "kext_alloc"});
  auto named = kdpctl({"--kernel", (alone / "mach_kernel").string(), "--dsym", kernel + ".dSYM", "info", "line", "kext_alloc"});
  fs::remove_all(alone);
  CHECK(no_dsym.exit_code == 2);
  CHECK(no_dsym.err.find("no debug information loaded: give --dsym PATH") != std::string::npos);
  CHECK(no_dsym_list.err.find("no debug information loaded") != std::string::npos);
  CHECK(named.exit_code == 0);
  CHECK(named.out == info.out);
}

TEST_CASE("dwarf e2e: bt prints func (arg=value, ...) at file:line from a core's frame chain") {
  const std::string kernel = test::dwarf_kernel();
  if (kernel.empty()) return;
  auto alloc = test::dwarfdump_function("kext_alloc");
  auto start = test::dwarfdump_function("kmod_start");
  REQUIRE(alloc.has_value());
  REQUIRE(start.has_value());
  REQUIRE(alloc->fbreg_params.size() == 3);
  REQUIRE(start->fbreg_params.size() == 1);
  const auto rows = test::dwarfdump_line_rows();
  const uint64_t pc = inner_row_of(rows, 12);    // kext_alloc_base += size;
  const uint64_t ret = inner_row_of(rows, 20);   // int result = kext_alloc(&where, 0x3000, 0);
  REQUIRE(pc != 0);
  REQUIRE(ret != 0);

  const uint64_t stack = 0xffffff8050000000;
  Bytes mem(0x1000, 0);
  const uint64_t rbp0 = stack + 0x400, rbp1 = stack + 0x800;
  put(mem, rbp0 - stack, rbp1, 8);
  put(mem, rbp0 - stack + 8, ret, 8);
  put(mem, rbp0 - stack + alloc->fbreg_params[0].second, 0xffffff804650b5f0, 8);  // _addr
  put(mem, rbp0 - stack + alloc->fbreg_params[1].second, 0x3000, 8);              // size
  put(mem, rbp0 - stack + alloc->fbreg_params[2].second, 0, 4);                   // fixed
  put(mem, rbp1 - stack + start->fbreg_params[0].second, 1, 4);                   // count
  macho::CoreFile core;
  core.segments.push_back({"", stack, mem.size(), macho::kVmProtAll, macho::kVmProtAll, mem});
  wire::X86ThreadState64 regs{};
  regs.rip() = pc;
  regs.rbp() = rbp0;
  regs.rsp() = rbp0 - 0x40;
  core.threads.push_back(regs);
  const std::string core_path = (fs::temp_directory_path() / ("kdpctl-dwarf-" + std::to_string(::getpid()) + ".core")).string();
  REQUIRE(macho::write_core_file(core, core_path).has_value());

  auto bt = kdpctl({"--kernel", kernel, "--core", core_path, "bt"});
  // `list` with no argument lists around where the CPU stopped, as `list *RIP` does.
  auto here = kdpctl({"--kernel", kernel, "--core", core_path, "--source-dir", KDPCTL_DWARF_SOURCES, "list"});
  auto at_rip = kdpctl({"--kernel", kernel, "--core", core_path, "--source-dir", KDPCTL_DWARF_SOURCES, "list", "*" + hex0(pc)});
  fs::remove(core_path);
  CHECK(here.exit_code == 0);
  CHECK(at_rip.exit_code == 0);
  CHECK(here.out == at_rip.out);
  CHECK(here.out.find("\n12\t") != std::string::npos);
  CHECK(bt.exit_code == 0);
  CHECK(bt.out == "#0  " + hex16(pc) + " in kext_alloc (_addr=0xffffff804650b5f0, size=0x3000, fixed=0x0) at kext_alloc.c:12\n" +
                      "#1  " + hex16(ret) + " in kmod_start (count=0x1) at kext_alloc.c:20\n");
}

TEST_CASE("dwarf e2e: a dSYM of another UUID is refused, naming both UUIDs") {
  const std::string kernel = test::dwarf_kernel();
  if (kernel.empty()) return;
  const fs::path dir = fs::temp_directory_path() / ("kdpctl-dwarf-uuid-" + std::to_string(::getpid()));
  const fs::path dwarf_dir = dir / "mach_kernel.dSYM" / "Contents" / "Resources" / "DWARF";
  fs::create_directories(dwarf_dir);
  fs::copy_file(kernel, dir / "mach_kernel");
  std::ifstream in(test::dwarf_file(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string uuid = test::dwarfdump_uuid();
  // LC_UUID's 16 bytes follow the command's cmd (0x1b) and cmdsize (24) words.
  const std::string marker("\x1b\0\0\0\x18\0\0\0", 8);
  const size_t at = bytes.find(marker);
  REQUIRE(at != std::string::npos);
  bytes[at + 8] ^= 0x01;
  std::ofstream(dwarf_dir / "mach_kernel", std::ios::binary) << bytes;

  auto refused = kdpctl({"--kernel", (dir / "mach_kernel").string(), "ptype", "struct", "proc"});
  fs::remove_all(dir);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("dSYM UUID mismatch") != std::string::npos);
  CHECK(refused.err.find(uuid) != std::string::npos);
  std::string other = uuid;
  other[1] = "0123456789ABCDEF"[std::stoi(other.substr(1, 1), nullptr, 16) ^ 1];
  CHECK(refused.err.find(other) != std::string::npos);
}

}  // TEST_SUITE
