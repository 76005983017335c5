// Frame-pointer walks over a fake stack whose return addresses are the test kernel's real call
// sites: kernel_bootstrap_thread -> kext_alloc -> kalloc -> kalloc_canblock -> panic -> Debugger.
#include <doctest/doctest.h>

#include <map>

#include "kgm/backtrace.h"
#include "tests/kgm/test_memory.h"
#include "macho/kernel_image.h"
#include "tools/fixtures/testkernel/testkernel_writer.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

struct Lion {
  macho::TestKernel kernel;
  macho::KernelImage image;
};

const Lion& lion() {
  static const Lion l = [] {
    auto k = macho::write_test_kernel(macho::lion_10_7_3_spec());
    REQUIRE(k);
    auto image = macho::load_kernel_image_from_bytes(k->file, "lion.kernel");
    REQUIRE(image);
    return Lion{std::move(*k), std::move(*image)};
  }();
  return l;
}

const macho::PlacedFunction& fn(const std::string& name) {
  for (const auto& f : lion().kernel.functions)
    if (f.name == name) return f;
  FAIL("no function " << name);
  return lion().kernel.functions.front();
}

constexpr uint64_t kStackTop = 0xffffff8012345000;  // rbp of the innermost frame

// Each frame: [rbp] = caller's rbp (0x40 higher), [rbp+8] = return address into the caller.
std::map<uint64_t, uint64_t> panic_stack() {
  const char* callers[] = {"_panic", "_kalloc_canblock", "_kalloc", "_kext_alloc",
                           "_kernel_bootstrap_thread"};
  std::map<uint64_t, uint64_t> mem;
  uint64_t rbp = kStackTop;
  for (const char* caller : callers) {
    mem[rbp] = rbp + 0x40;
    mem[rbp + 8] = fn(caller).return_addresses.at(0);
    rbp += 0x40;
  }
  mem[rbp] = 0;  // kernel_bootstrap_thread's frame: the outermost (Call_continuation sets rbp 0)
  mem[rbp + 8] = 0xffffff80002b8009;
  return mem;
}

template <class T>
T& lvalue(T&& t) { return t; }

test::FnMemory reader(const std::map<uint64_t, uint64_t>& mem) { return test::FnMemory(test::words(mem)); }

}  // namespace

TEST_CASE("a panic stack walks to the outermost frame, every frame symbolicated") {
  auto mem = panic_stack();
  uint64_t rip = *fn("_Debugger").trap_address + 1;  // KDP reports rip after the int3
  Backtrace bt = walk_frames(rip, kStackTop, lvalue(reader(mem)), &lion().image.symbols());
  CHECK(bt.stop == StopReason::kNullFramePointer);
  REQUIRE(bt.frames.size() == 7);
  CHECK(bt.frames[0].frame_pointer == kStackTop);
  CHECK(bt.frames[1].frame_pointer == kStackTop + 0x40);
  CHECK(render_backtrace(bt) ==
        "#0  0xffffff80002c5c45 in Debugger+0x5 ()\n"
        "#1  0xffffff80002204c9 in panic+0x9 ()\n"
        "#2  0xffffff80002264d9 in kalloc_canblock+0x9 ()\n"
        "#3  0xffffff8000226749 in kalloc+0x9 ()\n"
        "#4  0xffffff80002a5189 in kext_alloc+0x9 ()\n"
        "#5  0xffffff8000233169 in kernel_bootstrap_thread+0x9 ()\n"
        "#6  0xffffff80002b8009 in _start+0x9 ()\n");
}

// Two adjacent functions: "caller" [0x1000, 0x1010) ends with a call; "next" starts at 0x1010.
class TwoFunctions : public macho::Symbolizer {
 public:
  std::optional<macho::SymbolOffset> symbolize(uint64_t a) const override {
    if (a >= 0x1000 && a < 0x1010) return macho::SymbolOffset{"caller", a - 0x1000};
    if (a >= 0x1010 && a < 0x1020) return macho::SymbolOffset{"next", a - 0x1010};
    return std::nullopt;
  }
};

TEST_CASE("caller frames are symbolized at the call, not past it") {
  TwoFunctions symbols;
  std::map<uint64_t, uint64_t> mem = {{0x8000, 0}, {0x8008, 0x1010}};
  Backtrace bt = walk_frames(0x1010, 0x8000, lvalue(reader(mem)), &symbols);
  REQUIRE(bt.frames.size() == 2);
  CHECK(bt.frames[0].symbol == "next");         // the innermost pc is where execution is
  CHECK(bt.frames[1].symbol == "caller+0x10");  // a return address belongs to the call before it
}

TEST_CASE("the walk stops, saying why, on bad frame pointers") {
  const auto* symbols = &lion().image.symbols();
  SUBCASE("null frame pointer in the registers") {
    Backtrace bt = walk_frames(0xffffff80002c5c45, 0, lvalue(reader({})), symbols);
    CHECK(bt.frames.size() == 1);
    CHECK(bt.stop == StopReason::kNullFramePointer);
    CHECK(render_backtrace(bt) == "#0  0xffffff80002c5c45 in Debugger+0x5 ()\n");
  }
  SUBCASE("misaligned") {
    std::map<uint64_t, uint64_t> mem = {{0x1000, 0x1044}, {0x1008, 0xffffff80002204c9}};
    Backtrace bt = walk_frames(0xffffff80002c5c45, 0x1000, lvalue(reader(mem)), symbols);
    CHECK(bt.frames.size() == 2);
    CHECK(bt.stop == StopReason::kMisalignedFramePointer);
    CHECK(render_backtrace(bt).ends_with(
        "Backtrace stopped: frame pointer is not 8-byte aligned (corrupt stack?): rbp 0x1044\n"));
  }
  SUBCASE("non-increasing") {
    std::map<uint64_t, uint64_t> mem = {{0x1000, 0x1000}, {0x1008, 0xffffff80002204c9}};
    Backtrace bt = walk_frames(0xffffff80002c5c45, 0x1000, lvalue(reader(mem)), symbols);
    CHECK(bt.frames.size() == 2);
    CHECK(bt.stop == StopReason::kNonIncreasingFramePointer);
    CHECK(render_backtrace(bt).ends_with(
        "Backtrace stopped: previous frame inner to this frame (corrupt stack?): rbp 0x1000 -> 0x1000\n"));
  }
  SUBCASE("unmapped") {
    std::map<uint64_t, uint64_t> mem = {{0x1000, 0x2000}, {0x1008, 0xffffff80002204c9}};
    Backtrace bt = walk_frames(0xffffff80002c5c45, 0x1000, lvalue(reader(mem)), symbols);
    CHECK(bt.frames.size() == 2);
    CHECK(bt.stop == StopReason::kUnreadableFrame);
    CHECK(bt.detail == "Cannot access memory at address 0x2000");
    CHECK_FALSE(bt.error);
    CHECK(render_backtrace(bt).ends_with(
        "Backtrace stopped: cannot read the frame: Cannot access memory at address 0x2000\n"));
  }
  SUBCASE("a back-end failure is an error, not the end of the stack") {
    test::FnMemory memory(test::words({{0x1000, 0x2000}, {0x1008, 0xffffff80002204c9}}));
    memory.failure = Error(ErrorKind::kTimeout, "no reply to KDP_READMEM64 after 5 attempts").with_fault_address(0x1000);
    Backtrace bt = walk_frames(0xffffff80002c5c45, 0x1000, memory, symbols);
    CHECK(bt.frames.size() == 1);
    CHECK(bt.stop == StopReason::kReadFailed);
    REQUIRE(bt.error);
    CHECK(bt.error->kind() == ErrorKind::kTimeout);
    CHECK(bt.error->fault_address() == 0x1000);
    CHECK(bt.error->message() == "reading the frame at rbp 0x1000: no reply to KDP_READMEM64 after 5 attempts");
    CHECK(render_backtrace(bt) == "#0  0xffffff80002c5c45 in Debugger+0x5 ()\n");  // the caller reports the error
  }
  SUBCASE("null return address") {
    std::map<uint64_t, uint64_t> mem = {{0x1000, 0x2000}, {0x1008, 0}};
    Backtrace bt = walk_frames(0xffffff80002c5c45, 0x1000, lvalue(reader(mem)), symbols);
    CHECK(bt.frames.size() == 1);
    CHECK(bt.stop == StopReason::kNullReturnAddress);
  }
  SUBCASE("endless but increasing: the frame limit") {
    // [a] = a + 16, [a + 8] = a return address into panic, for every 16-byte aligned a.
    test::FnMemory endless([](uint64_t a) -> std::optional<uint8_t> {
      const uint64_t word = a % 16 < 8 ? (a & ~uint64_t{15}) + 16 : uint64_t{0xffffff80002204c9};
      return static_cast<uint8_t>(word >> (8 * (a % 8)));
    });
    Backtrace bt = walk_frames(0xffffff80002c5c45, 0x1000, endless, symbols);
    CHECK(bt.frames.size() == kMaxFrames);
    CHECK(bt.stop == StopReason::kFrameLimit);
    Backtrace short_bt = walk_frames(0xffffff80002c5c45, 0x1000, endless, symbols, 5);
    CHECK(short_bt.frames.size() == 5);
    CHECK(render_backtrace(short_bt).ends_with(
        "#4  0xffffff80002204c9 in panic+0x9 ()\n"
        "Backtrace stopped: frame limit reached (more stack frames follow)\n"));
  }
}

TEST_CASE("unknown code renders as ?? and no symbolizer is fine") {
  std::map<uint64_t, uint64_t> mem = {{0x1000, 0}, {0x1008, 0xffffff7f81234567}};
  Backtrace bt = walk_frames(0xffffff7f81230000, 0x1000, lvalue(reader(mem)), nullptr);
  CHECK(render_backtrace(bt) ==
        "#0  0xffffff7f81230000 in ?? ()\n"
        "#1  0xffffff7f81234567 in ?? ()\n");
}
