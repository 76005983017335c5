// print, ptype and --types end to end: the real kdpctl over fixture worlds written by the test.
// Expected lines come from the world builder's record (its WorldModel) with gdb's print rules
// written here (pretty layout, char arrays less one trailing NUL, runs of more than 10 equal chars
// as '\000' <repeats N times>); the --types run compares kgmacros output under ISF types
// converted from the real 10.7.3 vtypes (../shared) with the built-in layouts' expected text.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/cli/world_support.h"
#include "tests/support/requirements.h"
#include "tests/support/vtypes_isf.h"

using namespace kdp::cli::test;

namespace {

// gdb's print of a char[17] holding `comm` and NUL padding.
std::string comm_text(const std::string& comm) {
  const size_t nuls = 16 - comm.size();  // the 17th byte, the last NUL, is not shown
  std::string padding;
  if (nuls > 10) return (comm.empty() ? "" : "\"" + comm + "\", ") + "'\\000' <repeats " + std::to_string(nuls) + " times>";
  for (size_t i = 0; i < nuls; ++i) padding += "\\000";
  return "\"" + comm + padding + "\"";
}

const kdp::world::ProcModel& live_proc(const kdp::world::WorldModel& m) {
  for (const auto& p : m.procs)
    if (!p.zombie && p.pid > 1) return p;
  FAIL("the world has no live process besides launchd");
  return m.procs.front();
}

}  // namespace

TEST_CASE("print: a world's struct proc, offline, both argument forms, /x and --json") {
  if (!binaries_available()) return;
  auto w = make_world({.procs = 12, .seed = 9});
  const auto& p = live_proc(w->model());
  Kdpctl kdpctl;
  const std::vector<std::string> files = {"--core", w->core(), "--kernel", w->kernel()};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), files.begin(), files.end());
    return kdpctl.run(args);
  };
  ProcessResult cast = run({"print", "*(struct proc *)" + hex_of(p.address)});
  INFO(cast.err);
  REQUIRE(cast.exit_code == 0);
  CHECK(cast.out.starts_with("$1 = {\n  p_list = {\n    le_next = "));
  CHECK(cast.out.find("\n  },\n  p_pid = " + std::to_string(p.pid) + ",\n") != std::string::npos);
  CHECK(cast.out.find("\n  p_pptr = " + hex_of(p.parent) + ",\n  p_ppid = " + std::to_string(p.ppid) + ",\n") !=
        std::string::npos);
  CHECK(cast.out.find("\n  p_comm = " + comm_text(p.comm) + ",\n") != std::string::npos);
  CHECK(cast.out.ends_with("\n}\n"));
  // Every struct proc holds by value is defined: the locks as BSD's opaque words, the timevals.
  CHECK(cast.out.find("<incomplete type>") == std::string::npos);
  CHECK(cast.out.find("\n  p_mlock = {\n    opaque = {") != std::string::npos);
  CHECK(cast.out.find("\n  p_start = {\n    tv_sec = ") != std::string::npos);

  // gdb's value history: each print takes the next $N, across commands.
  CHECK(run({"print", "struct proc", hex_of(p.address)}).out == "$2" + cast.out.substr(2));

  ProcessResult x = run({"print/x", "struct proc", hex_of(p.address)});
  CHECK(x.out.find("\n  p_pid = " + hex_of(static_cast<uint32_t>(p.pid)) + ",\n") != std::string::npos);

  ProcessResult shallow = run({"print", "--depth", "1", "struct proc", hex_of(p.address)});
  CHECK(x.out.starts_with("$3 = {\n"));
  CHECK(shallow.out.starts_with("$4 = {\n  p_list = {...},\n  p_pid = "));

  ProcessResult json = run({"--json", "print", "struct proc", hex_of(p.address)});
  CHECK(json.out.starts_with("{\"history\":5,\"type\":\"struct proc\",\"address\":\"" + hex_of(p.address) +
                             "\",\"value\":{"));
  CHECK(json.out.find("\"p_pid\":" + std::to_string(p.pid) + ",") != std::string::npos);

  ProcessResult wild = run({"print", "struct proc", "0x10"});
  CHECK(wild.exit_code == 1);
  CHECK(wild.err.find("cannot read struct proc at 0x10") != std::string::npos);
}

TEST_CASE("ptype needs no target; an unknown type names the layouts") {
  if (!binaries_available()) return;
  Kdpctl kdpctl;
  ProcessResult proc = kdpctl.run({"ptype", "struct", "proc"});
  CHECK(proc.exit_code == 0);
  CHECK(proc.out.starts_with("type = struct proc {\n    struct list_entry p_list;\n    int p_pid;\n"));
  ProcessResult offsets = kdpctl.run({"ptype/o", "struct", "proc"});
  CHECK(offsets.out.find("/*     16      |       4 */    int p_pid;\n") != std::string::npos);
  ProcessResult missing = kdpctl.run({"ptype", "struct", "nosuch"});
  CHECK(missing.exit_code != 0);
  CHECK(missing.err.find("no type 'struct nosuch' in the built-in layouts for xnu-1699.24.23 RELEASE_X86_64") !=
        std::string::npos);
}

TEST_SUITE_BEGIN("needs-input");

TEST_CASE("--types: the kgmacros under ISF types from the real 10.7.3 vtypes match the built-in layouts") {
  const std::string vtypes = kdp::test::vtypes_path(KDPCTL_SHARED_DIR);
  std::ifstream in(vtypes);
  if (!kdp::test::require_input(in.good(), "real 10.7.3 data (" + vtypes + ")")) return;
  if (!binaries_available()) return;
  auto w = make_world({.procs = 12, .seed = 9});
  std::map<std::string, uint64_t> symbols;
  for (const auto& g : w->model().globals) symbols[g.name] = g.address;
  std::stringstream text;
  text << in.rdbuf();
  TempDir dir;
  const std::string isf = dir.file("lion.json");
  std::ofstream(isf) << kdp::test::VtypesConverter().convert(kdp::test::Json::parse(text.str()), symbols).dump();

  Kdpctl kdpctl;
  const std::string tasks = expected_showalltasks(w->model());
  CHECK(kdpctl.run({"--core", w->core(), "--kernel", w->kernel(), "--types", isf, "showalltasks"}).out == tasks);
  // No kernel file: the ISF's symbols find allproc, tasks and the rest.
  ProcessResult no_kernel = kdpctl.run({"--core", w->core(), "--types", isf, "showalltasks"});
  INFO(no_kernel.err);
  CHECK(no_kernel.out == tasks);
  CHECK(kdpctl.run({"--core", w->core(), "--types", isf, "showproctree"}).out == expected_showproctree(w->model(), 0));

  // A file that lacks a type the command needs, or a symbol: the error names the file.
  std::ofstream(dir.file("empty.json")) << kdp::test::VtypesConverter().convert(kdp::test::Json::object(), symbols).dump();
  std::ofstream(dir.file("nosymbols.json")) << R"({"metadata": {}, "base_types": {}, "user_types": {}, "enums": {},
      "symbols": {"_version": {"address": 1}}})";
  ProcessResult lacking = kdpctl.run({"--core", w->core(), "--types", dir.file("empty.json"), "showalltasks"});
  INFO(lacking.err);
  CHECK(lacking.exit_code != 0);
  CHECK(lacking.err.find("no type 'struct task' in ISF file " + dir.file("empty.json")) != std::string::npos);
  ProcessResult no_symbol = kdpctl.run({"--core", w->core(), "--types", dir.file("nosymbols.json"), "showalltasks"});
  CHECK(no_symbol.exit_code != 0);
  CHECK(no_symbol.err.find("no symbol 'tasks' in the symbols of ISF file " + dir.file("nosymbols.json")) != std::string::npos);
}

TEST_SUITE_END();
