// The kgm commands with types from DWARF (issue #10 §4): a fixture world's showproctree reads
// struct proc from the clang-built test kernel's dSYM (its struct proc is laid out as 10.7.3
// RELEASE's) and prints what the built-in layouts print, which is the text written in the test from
// kgmacros' format; a struct the dSYM does not describe is an error naming the dSYM.
#include <doctest/doctest.h>

#include "tests/cli/process.h"
#include "tests/cli/world_support.h"
#include "tests/dwarf/dwarf_support.h"

using namespace kdp;

namespace {

cli::test::ProcessResult kdpctl(const cli::test::WorldFiles& w, std::vector<std::string> args) {
  args.insert(args.begin(), {KDPCTL_DWARF_KDPCTL, "--no-agent", "--state", "/nonexistent-dir/kdpctl-state", "--core",
                             w.core(), "--kernel", w.kernel()});
  return cli::test::run_process(args, {"KDPCTL_STATE=/nonexistent-dir/kdpctl-state"});
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_SUITE("needs-input") {

TEST_CASE("dwarf world: showproctree with struct proc from a dSYM equals the built-in layouts' and kgmacros' text") {
  const std::string dsym = test::dwarf_file();
  if (dsym.empty()) return;
  auto w = cli::test::make_world({.procs = 12, .seed = 9});
  const std::string expected = cli::test::expected_showproctree(w->model(), 0);

  auto builtin = kdpctl(*w, {"showproctree"});
  CHECK(builtin.exit_code == 0);
  CHECK(builtin.out == expected);

  // The world's kernel is not the dSYM's (another UUID): refused, unless --force.
  auto refused = kdpctl(*w, {"--dsym", dsym, "showproctree"});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "dSYM UUID mismatch"));

  auto from_dwarf = kdpctl(*w, {"--dsym", dsym, "--force", "showproctree"});
  CHECK(from_dwarf.exit_code == 0);
  CHECK(from_dwarf.out == expected);

  // The types did come from the dSYM: it has no struct task, and says so by name.
  auto tasks = kdpctl(*w, {"--dsym", dsym, "--force", "showalltasks"});
  CHECK(tasks.exit_code != 0);
  CHECK(contains(tasks.err, "no type 'struct task' in dSYM " + dsym));
}

}  // TEST_SUITE
