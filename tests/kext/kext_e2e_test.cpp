// kdpctl with the user's own kext (--kext): the DebugTest kext built here, loaded into a fixture
// world at a kmod address with the CPU stopped after its int3. Every expected name, address and
// line comes from llvm-symbolizer or llvm-dwarfdump reading the same files; argument values from
// what the world stored; texts are gdb's formats written here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "tests/cli/e2e_support.h"
#include "tests/cli/process.h"
#include "tests/kext/kext_support.h"

using namespace kdp;

namespace {

cli::test::ProcessResult kdpctl(std::vector<std::string> args) {
  args.insert(args.begin(), {KDPCTL_KEXT_KDPCTL, "--no-agent", "--state", "/nonexistent-dir/kdpctl-state"});
  return cli::test::run_process(args, {"KDPCTL_STATE=/nonexistent-dir/kdpctl-state"});
}

std::vector<std::string> offline(const test::KextWorld& w, const std::string& kext, std::vector<std::string> args) {
  args.insert(args.begin(), {"--core", w.core, "--kernel", w.files->kernel(), "--kext", kext});
  return args;
}

std::string hex0(uint64_t v) { return cli::test::hex_of(v); }
std::string hex16(uint64_t v) { return cli::test::padded_hex_of(v); }

// gdb's breakpoint address for FUNC: the first row past the function's opening line.
std::pair<uint64_t, uint32_t> after_prologue(const std::vector<std::pair<uint64_t, uint32_t>>& rows, uint64_t low_pc) {
  uint32_t opening = 0;
  for (const auto& row : rows) {
    if (row.first == low_pc && opening == 0) opening = row.second;
    else if (opening != 0 && row.first > low_pc && row.second != opening) return row;
  }
  return {0, 0};
}

}  // namespace

TEST_SUITE("needs-input") {

TEST_CASE("kext e2e: bt, info symbol and x/i name the kext's functions and lines, as llvm-symbolizer does") {
  auto kext = test::debugtest_kext();
  if (!kext) return;
  auto w = test::make_kext_world(*kext);
  const uint64_t file_pc = w.rip - test::kKextLoadAddress;
  const test::Symbolized at = test::symbolize(kext->dwarf, file_pc);
  const test::DumpedFunction start = test::dumped_function(kext->dwarf, "DebugTest_start");
  REQUIRE(at.function == "DebugTest_start");
  REQUIRE(at.file == "debugtest.c");
  const auto rows = test::dumped_line_rows(kext->dwarf);
  const bool line_start = std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return r.first == file_pc; });

  auto bt = kdpctl(offline(w, kext->bundle, {"bt"}));
  INFO(bt.err);
  CHECK(bt.exit_code == 0);
  CHECK(bt.out == "#0  " + (line_start ? std::string() : hex16(w.rip) + " in ") + "DebugTest_start (ki=" + hex0(w.kmod_info) +
                      ", d=" + hex0(w.d_argument) + ") at debugtest.c:" + std::to_string(at.line) + "\n" +
                      "#1  " + hex16(w.return_address) + " in " + w.caller_symbol + " ()\n");

  const uint64_t offset = file_pc - start.low_pc;
  auto symbol = kdpctl(offline(w, kext->bundle, {"info", "symbol", hex0(w.rip)}));
  CHECK(symbol.exit_code == 0);
  CHECK(symbol.out == "DebugTest_start + " + std::to_string(offset) + "\n");

  auto insn = kdpctl(offline(w, kext->bundle, {"x/i", "$rip"}));
  CHECK(insn.exit_code == 0);
  CHECK(insn.out.rfind("   " + hex0(w.rip) + " <DebugTest_start+" + std::to_string(offset) + ">:\t", 0) == 0);

  // The kmod list's name stays for kexts kdpctl has no file of: without --kext, the same frame.
  auto unnamed = kdpctl({"--core", w.core, "--kernel", w.files->kernel(), "bt", "1"});
  CHECK(unnamed.out.rfind("#0  " + hex16(w.rip) + " in ax.ho.kext.DebugTest + " + hex0(file_pc) + " ()\n", 0) == 0);
}

TEST_CASE("kext e2e: info line and list of a kext function, slid to its load address") {
  auto kext = test::debugtest_kext();
  if (!kext) return;
  auto w = test::make_kext_world(*kext);
  const test::DumpedFunction stop = test::dumped_function(kext->dwarf, "DebugTest_stop");
  const auto rows = test::dumped_line_rows(kext->dwarf);
  const auto [end, next_line] = after_prologue(rows, stop.low_pc);
  REQUIRE(end != 0);
  const uint32_t opening = test::symbolize(kext->dwarf, stop.low_pc).line;

  const uint64_t load = test::kKextLoadAddress;
  auto info = kdpctl(offline(w, kext->bundle, {"info", "line", "DebugTest_stop"}));
  INFO(info.err);
  CHECK(info.exit_code == 0);
  CHECK(info.out == "Line " + std::to_string(opening) + " of \"debugtest.c\" starts at address " + hex0(load + stop.low_pc) +
                        " <DebugTest_stop> and ends at " + hex0(load + end) + " <DebugTest_stop+" +
                        std::to_string(end - stop.low_pc) + ">.\n");

  // gdb's list FUNC: ten lines with the declaration line sixth, the text the file's own.
  const uint32_t decl = test::dumped_function(kext->dwarf, "DebugTest_start").decl_line;
  auto listed = kdpctl(offline(w, kext->bundle, {"--source-dir", KDPCTL_KEXT_SOURCES, "list", "DebugTest_start"}));
  CHECK(listed.exit_code == 0);
  std::ifstream source(std::string(KDPCTL_KEXT_SOURCES) + "/debugtest.c");
  std::vector<std::string> lines;
  for (std::string l; std::getline(source, l);) lines.push_back(l);
  REQUIRE(lines.size() >= decl + 4);
  REQUIRE(lines[decl - 1].starts_with("kern_return_t DebugTest_start("));
  std::string expected;
  for (uint32_t n = decl - 5; n <= decl + 4; ++n) expected += std::to_string(n) + "\t" + lines[n - 1] + "\n";
  CHECK(listed.out == expected);

  // Before attaching (the kernel file alone) the kext is at its file addresses, as in gdb.
  auto unslid = kdpctl({"--kernel", w.files->kernel(), "--kext", kext->bundle, "info", "line", "DebugTest_stop"});
  CHECK(unslid.exit_code == 0);
  CHECK(unslid.out.find("starts at address " + hex0(stop.low_pc) + " <DebugTest_stop>") != std::string::npos);
}

TEST_CASE("kext e2e: a rebuilt kext that was not reloaded is refused, naming both UUIDs; --force loads it") {
  auto kext = test::debugtest_kext();
  if (!kext) return;
  auto w = test::make_kext_world(*kext);
  const std::string loaded = test::dumped_uuid(kext->executable);
  const std::string rebuilt = test::dumped_uuid(kext->rebuilt + "/Contents/MacOS/DebugTest");
  REQUIRE(loaded.size() == 36);
  REQUIRE(rebuilt.size() == 36);
  REQUIRE(loaded != rebuilt);
  auto refused = kdpctl(offline(w, kext->rebuilt, {"bt"}));
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.empty());
  CHECK(refused.err.find("kext UUID mismatch") != std::string::npos);
  CHECK(refused.err.find(loaded) != std::string::npos);
  CHECK(refused.err.find(rebuilt) != std::string::npos);
  auto forced = kdpctl(offline(w, kext->rebuilt, {"--force", "info", "symbol", hex0(w.rip)}));
  CHECK(forced.exit_code == 0);
  CHECK(forced.out.rfind("DebugTest_start + ", 0) == 0);
}

TEST_CASE("kext e2e: a kext absent from the kmod list is not loaded; PATH@ADDR says where it is") {
  auto kext = test::debugtest_kext();
  if (!kext) return;
  auto w = test::make_kext_world(*kext, false);
  auto absent = kdpctl(offline(w, kext->bundle, {"bt"}));
  CHECK(absent.exit_code != 0);
  CHECK(absent.err.find("ax.ho.kext.DebugTest is not loaded") != std::string::npos);

  // The bare Mach-O at the address given, its dSYM named: the same symbols and lines.
  const uint64_t file_pc = w.rip - test::kKextLoadAddress;
  const test::Symbolized at = test::symbolize(kext->dwarf, file_pc);
  auto given = kdpctl({"--core", w.core, "--kernel", w.files->kernel(), "--kext",
                       kext->executable + "@" + hex0(test::kKextLoadAddress), "--kext-dsym", kext->bundle + ".dSYM", "bt", "1"});
  INFO(given.err);
  CHECK(given.exit_code == 0);
  CHECK(given.out.find("DebugTest_start (ki=" + hex0(w.kmod_info) + ", d=" + hex0(w.d_argument) + ") at debugtest.c:" +
                       std::to_string(at.line) + "\n") != std::string::npos);

  // A bare Mach-O has no bundle id to look up.
  auto bare = kdpctl(offline(w, kext->executable, {"bt"}));
  CHECK(bare.exit_code == 2);
  CHECK(bare.err.find("give PATH@ADDR") != std::string::npos);
}

TEST_CASE("kext e2e: break on a kext function over KDP stops past its prologue (kdp-sim serving the world)") {
  auto kext = test::debugtest_kext();
  if (!kext || !cli::test::binaries_available()) return;
  auto w = test::make_kext_world(*kext);
  const test::DumpedFunction stop = test::dumped_function(kext->dwarf, "DebugTest_stop");
  const auto [body, line] = after_prologue(test::dumped_line_rows(kext->dwarf), stop.low_pc);
  REQUIRE(body != 0);
  REQUIRE(test::symbolize(kext->dwarf, body).line == line);

  cli::test::Sim sim({"--core", w.core, "--kernel-version", w.files->kernel_version()});
  REQUIRE(sim.ready());
  cli::test::Kdpctl cli;
  auto attached = cli.run({"--no-agent", "--kernel", w.files->kernel(), "--kext", kext->bundle, "reattach", sim.target()});
  INFO(attached.err);
  REQUIRE(attached.exit_code == 0);
  // The kext is remembered with the kernel: no --kext on the next commands.
  auto set = cli.run({"--no-agent", "break", "DebugTest_stop"});
  INFO(set.err);
  CHECK(set.exit_code == 0);
  CHECK(set.out == "Breakpoint 1 at " + hex0(test::kKextLoadAddress + body) + ": file debugtest.c, line " +
                       std::to_string(line) + ".\n");
  auto bt = cli.run({"--no-agent", "bt", "1"});
  CHECK(bt.exit_code == 0);
  CHECK(bt.out.find("DebugTest_start (ki=" + hex0(w.kmod_info)) != std::string::npos);
  // Attached, info line answers at the kext's load address, not its file's.
  auto info = cli.run({"--no-agent", "info", "line", "*" + hex0(test::kKextLoadAddress + body)});
  INFO(info.err);
  CHECK(info.exit_code == 0);
  CHECK(info.out.rfind("Line " + std::to_string(line) + " of \"debugtest.c\" starts at address " +
                       hex0(test::kKextLoadAddress + body) + " <DebugTest_stop+" + std::to_string(body - stop.low_pc) + ">", 0) == 0);
}

}  // TEST_SUITE

TEST_SUITE("needs-input") {

TEST_CASE("kext e2e: ptype of a struct the kext's dSYM declares") {
  auto kext = test::debugtest_kext();
  if (!kext) return;
  auto w = test::make_kext_world(*kext);
  // gdb's ptype of debugtest.c's struct (written from the source, in gdb's format).
  auto ptype = kdpctl({"--kernel", w.files->kernel(), "--kext", kext->bundle, "ptype", "struct", "debugtest_state"});
  INFO(ptype.err);
  CHECK(ptype.exit_code == 0);
  CHECK(ptype.out == "type = struct debugtest_state {\n"
                     "    int started;\n"
                     "    unsigned int calls;\n"
                     "    void *last_data;\n"
                     "    char tag[8];\n"
                     "}\n");
  // The kernel's own types still come first: struct proc as without the kext.
  auto with_kext = kdpctl({"--kernel", w.files->kernel(), "--kext", kext->bundle, "ptype", "struct", "proc"});
  auto kernel_only = kdpctl({"--kernel", w.files->kernel(), "ptype", "struct", "proc"});
  CHECK(with_kext.exit_code == 0);
  CHECK(kernel_only.exit_code == 0);
  CHECK(with_kext.out.find("    int p_pid;\n") != std::string::npos);
  CHECK(with_kext.out == kernel_only.out);
}

}  // TEST_SUITE

TEST_SUITE("needs-input") {

TEST_CASE("kext e2e: kext add|list|remove keeps the set every later command loads") {
  auto kext = test::debugtest_kext();
  if (!kext || !cli::test::binaries_available()) return;
  auto w = test::make_kext_world(*kext);
  const test::Symbolized at = test::symbolize(kext->dwarf, w.rip - test::kKextLoadAddress);
  cli::test::Kdpctl cli;
  auto typo = cli.run({"--no-agent", "kext", "add", kext->bundle + "x"});
  CHECK(typo.exit_code != 0);
  CHECK(typo.err.find("no such file or directory") != std::string::npos);
  CHECK(cli.run({"--no-agent", "kext", "add", kext->bundle}).exit_code == 0);
  auto listed = cli.run({"--no-agent", "kext", "list"});
  CHECK(listed.out == kext->bundle + "\n");
  auto bt = cli.run({"--no-agent", "--core", w.core, "--kernel", w.files->kernel(), "bt", "1"});
  INFO(bt.err);
  CHECK(bt.out.find("DebugTest_start (ki=" + hex0(w.kmod_info) + ", d=" + hex0(w.d_argument) + ") at debugtest.c:" +
                    std::to_string(at.line) + "\n") != std::string::npos);
  // Remembered but not loaded in this world: a warning, and the kmod list's name again.
  auto other = test::make_kext_world(*kext, false);
  auto warned = cli.run({"--no-agent", "--core", other.core, "--kernel", other.files->kernel(), "bt", "1"});
  CHECK(warned.exit_code == 0);
  CHECK(warned.err.find("warning: not using the remembered kext " + kext->bundle) != std::string::npos);
  CHECK(cli.run({"--no-agent", "kext", "remove", kext->bundle}).exit_code == 0);
  CHECK(cli.run({"--no-agent", "kext", "list"}).out == "No kexts remembered (kdpctl kext add PATH).\n");
  CHECK(cli.run({"--no-agent", "kext", "remove", kext->bundle}).exit_code == 2);
}

}  // TEST_SUITE
