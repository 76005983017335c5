// kdpctl bt against kdp-sim: the demo snapshot's thread is stopped in Debugger, called through
// panic ← kalloc_canblock ← kalloc ← kext_alloc (tools/fixtures/mksnapshot/demo_kernel.h).
#include <doctest/doctest.h>

#include <cstdlib>

#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

TEST_CASE("bt walks the demo kernel's frames, with names once the kernel file is given") {
  if (!binaries_available() || demo_kernel_path().empty()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);

  ProcessResult plain = kdpctl.run({"bt"});
  CHECK(plain.exit_code == 0);
  CHECK(plain.out ==
        "#0  0xffffff8000396210 in ?? ()\n"
        "#1  0xffffff80002df055 in ?? ()\n"
        "#2  0xffffff800021c615 in ?? ()\n"
        "#3  0xffffff80002b0c55 in ?? ()\n"
        "#4  0xffffff8000210a15 in ?? ()\n");

  ProcessResult named = kdpctl.run({"--kernel", demo_kernel_path(), "bt"});
  CHECK(named.exit_code == 0);
  CHECK(named.out ==
        "#0  0xffffff8000396210 in Debugger+0x10 ()\n"
        "#1  0xffffff80002df055 in panic+0x15 ()\n"
        "#2  0xffffff800021c615 in kalloc_canblock+0x15 ()\n"
        "#3  0xffffff80002b0c55 in kalloc+0x15 ()\n"
        "#4  0xffffff8000210a15 in kext_alloc+0x15 ()\n");

  ProcessResult json = kdpctl.run({"--json", "--kernel", demo_kernel_path(), "bt"});
  CHECK(json.exit_code == 0);
  CHECK(contains(json.out, "{\"pc\":\"0xffffff80002df055\",\"frame_pointer\":\"0xffffff8000e03f00\",\"symbol\":\"panic+0x15\"}"));
  CHECK(contains(json.out, "\"stop\":\"outermost frame (return address is 0)\""));
}

#ifdef KDPCTL_MKKERNEL
TEST_CASE("a kernel file with another UUID is refused unless --force") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  const std::string other = kdpctl.file("other_kernel");
  REQUIRE(std::system((std::string(KDPCTL_MKKERNEL) + " --minimal " + other + " >/dev/null").c_str()) == 0);
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);

  ProcessResult refused = kdpctl.run({"--kernel", other, "bt"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.empty());
  CHECK(contains(refused.err, "kernel UUID mismatch: the running kernel has UUID 2B6D3C1A-5F0E-3A47-9E8B-7C0D1A2B3C4D"));
  CHECK(contains(refused.err, "(--force loads it anyway)"));

  ProcessResult forced = kdpctl.run({"--force", "--kernel", other, "bt"});
  CHECK(forced.exit_code == 0);
  CHECK(contains(forced.out, "#0  0xffffff8000396210 in "));
}
#endif

TEST_CASE("info symbol names an address or expression with the remembered kernel") {
  if (!binaries_available() || demo_kernel_path().empty()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"info", "symbol", "$rip"}).exit_code == 2);  // no target yet
  REQUIRE(kdpctl.run({"--kernel", demo_kernel_path(), "reattach", sim.target()}).exit_code == 0);
  CHECK(kdpctl.run({"info", "symbol", "$rip"}).out == "Debugger + 16\n");
  CHECK(kdpctl.run({"info", "symbol", "kalloc"}).out == "kalloc\n");
  CHECK(kdpctl.run({"info", "symbol", "0x10"}).out == "No symbol matches 0x10.\n");
  CHECK(kdpctl.run({"--json", "info", "symbol", "kalloc+3"}).out ==
        "{\"address\":\"0xffffff80002b0c43\",\"symbol\":\"kalloc\",\"offset\":3}\n");
}
