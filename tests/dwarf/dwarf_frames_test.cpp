// kgm::source_frame over the test kernel's kext_alloc: arguments read from a stack the test lays
// out at the DW_OP_fbreg offsets llvm-dwarfdump reports, in the body (rbp set up) and on the first
// instruction (a breakpoint on the symbol: rbp is still the caller's, the frame is one push below
// rsp). Texts in gdb's frame form, written here.
#include <doctest/doctest.h>

#include "kgm/dwarf_frames.h"
#include "kgm/memory_read.h"
#include "tests/dwarf/dwarf_support.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

class StackMemory final : public Memory {
 public:
  StackMemory(uint64_t base, size_t size) : base_(base), bytes_(size, 0) {}
  void put(uint64_t at, uint64_t value, size_t width) {
    for (size_t i = 0; i < width; ++i) bytes_.at(at - base_ + i) = static_cast<uint8_t>(value >> (8 * i));
  }
  Expected<Bytes> read(uint64_t address, uint64_t size) override {
    if (address < base_ || address - base_ > bytes_.size() || size > bytes_.size() - (address - base_))
      return cannot_access(address);
    return Bytes(bytes_.begin() + (address - base_), bytes_.begin() + (address - base_ + size));
  }
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override { return read(address, size); }
  uint64_t max_request() const override { return 1024; }
  MemoryStats stats() const override { return {}; }
  std::string source() const override { return "test stack"; }

 private:
  uint64_t base_;
  Bytes bytes_;
};

}  // namespace

TEST_SUITE("needs-input") {

TEST_CASE("dwarf frames: kext_alloc's arguments from its frame, in the body and at its first instruction") {
  const std::string path = test::dwarf_file();
  if (path.empty()) return;
  auto info = DwarfInfo::load(path);
  REQUIRE(info.has_value());
  auto dumped = test::dwarfdump_function("kext_alloc");
  REQUIRE(dumped.has_value());
  REQUIRE(dumped->fbreg_params.size() == 3);
  const uint64_t stack = 0xffffff8050000000, rbp = stack + 0x100;
  StackMemory memory(stack, 0x200);
  memory.put(rbp + dumped->fbreg_params[0].second, 0xffffff804650b5f0, 8);
  memory.put(rbp + dumped->fbreg_params[1].second, 0x3000, 8);
  memory.put(rbp + dumped->fbreg_params[2].second, 1, 4);
  const std::string args = "kext_alloc (_addr=0xffffff804650b5f0, size=0x3000, fixed=0x1) at kext_alloc.c:";

  auto body = source_frame(**info, dumped->low_pc + 0x10, rbp, false, memory, 0, rbp - 0x30);
  REQUIRE(body.has_value());
  CHECK(source_frame_text(*body).starts_with(args));

  // At the first instruction the caller's rbp is live; the frame it will build is rsp - 8.
  auto entry = source_frame(**info, dumped->low_pc, 0x1234, false, memory, 0, rbp + 8);
  REQUIRE(entry.has_value());
  CHECK(source_frame_text(*entry) == args + std::to_string((*info)->line_at(dumped->low_pc)->source.line));
  CHECK(entry->at_line_start);  // low_pc is the first row of the opening line: gdb omits the pc
  CHECK_FALSE(body->at_line_start);

  Backtrace bt;
  bt.frames.push_back({dumped->low_pc, rbp, std::nullopt, entry});
  CHECK(render_backtrace(bt) == "#0  " + source_frame_text(*entry) + "\n");

  // A slid kernel: the same frame at pc + slide.
  auto slid = source_frame(**info, dumped->low_pc + 0x10 + 0x200000, rbp, false, memory, 0x200000);
  REQUIRE(slid.has_value());
  CHECK(slid->function == "kext_alloc");

  // An unreadable frame: every argument says why, as gdb does.
  auto unreadable = source_frame(**info, dumped->low_pc + 0x10, 0x10, false, memory, 0);
  REQUIRE(unreadable.has_value());
  REQUIRE(unreadable->args.size() == 3);
  CHECK(unreadable->args[0].second.starts_with("<error: Cannot access memory at address 0x"));
}

}  // TEST_SUITE
