// The demo snapshot (tools/fixtures/mksnapshot) and loading a core into the stub.
#include <doctest/doctest.h>

#include "tools/kdp-sim/snapshot.h"
#include "tools/fixtures/mksnapshot/demo_kernel.h"

using namespace kdp;
using namespace kdp::fixtures;

namespace {

uint64_t u64_at(const stub::Memory& m, uint64_t address) {
  Bytes b = m.read(address, 8);
  REQUIRE(b.size() == 8);
  ByteReader r(b);
  return *r.u64("value");
}

}  // namespace

TEST_CASE("the demo snapshot survives the core file format and maps text, data, stack and a hole") {
  auto demo = make_demo_core();
  REQUIRE(demo);
  auto image = macho::encode_core(*demo);
  REQUIRE(image);
  auto core = macho::parse_core(*image, "demo.core");
  REQUIRE(core);
  auto snapshot = stub::snapshot_from_core(*core, "demo.core");
  REQUIRE(snapshot);
  const stub::Memory& m = snapshot->memory;
  CHECK(m.read(kDemoTextBase, 4) == Bytes{0xcf, 0xfa, 0xed, 0xfe});  // the kernel's Mach-O header
  CHECK(m.read(kDemoTextBase + kDemoCodeOffset, 4) == Bytes{0x55, 0x48, 0x89, 0xe5});  // push rbp; mov rbp,rsp
  CHECK(u64_at(m, kDemoDataBase + kDemoMagicOffset) == kDemoMagic);
  CHECK_FALSE(m.is_mapped(kDemoTextBase + kDemoTextSize));  // the hole
  CHECK(m.read(kDemoTextBase + kDemoTextSize - 16, 64).size() == 16);
  CHECK(m.is_mapped(kDemoStackBase));
}

TEST_CASE("walking rbp from the demo thread gives a backtrace of call return addresses") {
  DemoText text = make_demo_text();
  auto demo = make_demo_core();
  REQUIRE(demo);
  auto snapshot = stub::snapshot_from_core(*demo, "demo");
  REQUIRE(snapshot);
  const auto& regs = snapshot->registers;
  CHECK(regs.rip() >= kDemoTextBase + kDemoCodeOffset);
  CHECK(regs.rip() < kDemoTextBase + kDemoTextSize);
  CHECK(snapshot->memory.byte_at(regs.rip()) == 0xe8);  // stopped at a call
  CHECK(regs.rsp() < regs.rbp());
  size_t frames = 0;
  for (uint64_t rbp = regs.rbp(); rbp != 0; rbp = u64_at(snapshot->memory, rbp)) {
    uint64_t ret = u64_at(snapshot->memory, rbp + 8);
    if (ret == 0) break;
    REQUIRE(snapshot->memory.byte_at(ret - 5) == 0xe8);  // just after a call
    ++frames;
    REQUIRE(frames <= kDemoFrames);
  }
  CHECK(frames == kDemoFrames);
  CHECK(text.functions.size() == (kDemoTextSize - kDemoCodeOffset) / 64);
}

TEST_CASE("snapshot_from_core needs a thread and refuses to map absurd sizes") {
  macho::CoreFile core;
  CHECK(stub::snapshot_from_core(core, "x.core").error().message() ==
        "x.core: no LC_THREAD, so there are no registers to serve");
  core.threads.emplace_back();
  core.segments.push_back({"", 0x1000, uint64_t{1} << 40, 7, 7, {}});
  CHECK(stub::snapshot_from_core(core, "x.core").error().kind() == ErrorKind::kUsage);
  CHECK_FALSE(stub::load_snapshot("/nonexistent.core"));
}
