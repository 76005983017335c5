// The kgmacros through kdpctl: listed under their own heading, run over a live kernel (kdp-sim)
// and over its core file with the same output. The demo kernel holds no processes (fixture worlds
// do), so these runs use what it has: `version`, and a walk that finds no symbols to start from.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

namespace {

// showversion prints the KDP_KERNELVERSION text, which the kernel keeps in kdp_kernelversion_string;
// the demo kernel has no such buffer, so it is the `version` string (demo_kernel.h).
const std::string kShowversion =
    "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; root:xnu-1699.24.23~1/RELEASE_X86_64\n";

}  // namespace

TEST_CASE("kdpctl --help lists the kgmacros under their own heading") {
  if (!binaries_available()) return;
  Kdpctl kdpctl;
  ProcessResult help = kdpctl.run({"--help"});
  CHECK(help.exit_code == 0);
  const size_t heading = help.out.find("\nkernel (kgmacros):\n");
  REQUIRE(heading != std::string::npos);
  for (const char* name : {"showalltasks", "showproctree", "showversion", "showallkmods", "zprint"}) {
    const size_t at = help.out.find("\n  " + std::string(name) + " ");
    CHECK_MESSAGE((at != std::string::npos && at > heading), name);
  }
  CHECK(help.out.find("\n  bt ") < heading);  // the general commands come first
}

TEST_CASE("a kgmacro gives the same output live and from the core; needs the kernel's symbols") {
  if (!binaries_available() || demo_kernel_path().empty() || demo_core_path().empty()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"--kernel", demo_kernel_path(), "reattach", sim.target()}).exit_code == 0);
  ProcessResult live = kdpctl.run({"showversion"});
  CHECK(live.exit_code == 0);
  CHECK(live.out == kShowversion);

  Kdpctl offline;
  ProcessResult core = offline.run({"--core", demo_core_path(), "--kernel", demo_kernel_path(), "showversion"});
  CHECK(core.exit_code == 0);
  CHECK(core.out == live.out);
  ProcessResult json = offline.run({"--json", "--core", demo_core_path(), "--kernel", demo_kernel_path(), "showversion"});
  CHECK(json.exit_code == 0);
  CHECK(contains(json.out, "\"command\":\"showversion\""));

  ProcessResult no_symbols = offline.run({"--core", demo_core_path(), "showversion"});
  CHECK(no_symbols.exit_code == 2);
  CHECK(contains(no_symbols.err, "showversion needs the kernel's symbols: give --kernel PATH"));

  // The demo kernel has no process list: the command says so and fails, printing no JSON twice.
  ProcessResult tasks = offline.run({"--json", "--core", demo_core_path(), "--kernel", demo_kernel_path(), "showalltasks"});
  CHECK(tasks.exit_code != 0);
  CHECK(std::count(tasks.out.begin(), tasks.out.end(), '\n') <= 1);
}
