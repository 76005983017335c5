// Kernel version parsing and stop descriptions.
#include <doctest/doctest.h>

#include "kdp/client/kernel_version.h"
#include "kdp/client/session.h"

using namespace kdp::client;

TEST_CASE("UUID and stext come out of a 10.8+ kernel version string") {
  auto f = parse_kernel_version(
      "Darwin Kernel Version 17.3.0: Thu Nov  9 18:09:22 PST 2017; root:xnu-4570.31.3~1/RELEASE_X86_64; "
      "UUID=87641697-a3dd-30C4-B010-E65ECE57550B; stext=0xffffff802aa00000");
  REQUIRE(f.uuid);
  CHECK(*f.uuid == "87641697-A3DD-30C4-B010-E65ECE57550B");
  REQUIRE(f.stext);
  CHECK(*f.stext == 0xffffff802aa00000ULL);
}

TEST_CASE("a 10.7 string has a UUID and no stext; 10.6 has neither; malformed fields are ignored") {
  auto lion = parse_kernel_version("Darwin Kernel Version 11.3.0: ...; UUID=2B6D3C1A-5F0E-3A47-9E8B-7C0D1A2B3C4D");
  CHECK(lion.uuid == "2B6D3C1A-5F0E-3A47-9E8B-7C0D1A2B3C4D");
  CHECK(!lion.stext);
  auto snow = parse_kernel_version("Darwin Kernel Version 10.8.0: Tue Jun  7 16:33:36 PDT 2011");
  CHECK(!snow.uuid);
  CHECK(!snow.stext);
  auto bad = parse_kernel_version("UUID=not-a-uuid; stext=ffff; ");
  CHECK(!bad.uuid);
  CHECK(!bad.stext);
  CHECK(!parse_kernel_version("stext=0x11112222333344445").stext);  // 17 digits overflow
}

TEST_CASE("stop events read like the kernel's own names") {
  StopEvent bp{0, 6, 3, 0};
  CHECK(bp.description() == "EXC_BREAKPOINT (code EXC_I386_BPTFLT 3, subcode 0x0)");
  StopEvent fault{0, 1, 2, 0xdead000};
  CHECK(fault.description() == "EXC_BAD_ACCESS (code KERN_PROTECTION_FAILURE 2, subcode 0xdead000)");
  StopEvent odd{0, 42, 99, 1};
  CHECK(odd.description() == "EXC(0x2a) (code trap(99) 99, subcode 0x1)");
  StopEvent term;
  term.termination = true;
  term.code = 3;
  term.subcode = 7;
  CHECK(term.description() == "KDP_TERMINATION (KDP_REBOOT, exit code 7)");
}
