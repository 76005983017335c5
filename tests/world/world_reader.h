// Reads a world back the way a debugger would: the core file through the project's core reader
// (macho/core), then every field with a ByteReader at the offsets of xnu-layouts.md, written
// here again (not taken from the builder's world_layout.h), so a wrong offset on either side fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "macho/core/core_file.h"

namespace kdp::world::testing {

class CoreMemory {
 public:
  explicit CoreMemory(macho::CoreFile core) : core_(std::move(core)) {}
  // `count` bytes at `address`, or nullopt when any of them is unmapped.
  std::optional<ByteView> bytes(uint64_t address, uint64_t count) const;
  bool mapped(uint64_t address) const { return bytes(address, 1).has_value(); }
  // Fail the test (REQUIRE) when unmapped.
  uint64_t u64(uint64_t address) const;
  uint32_t u32(uint64_t address) const;
  uint8_t u8(uint64_t address) const;
  std::string c_string(uint64_t address, size_t max) const;  // stops at NUL or max
  const macho::CoreFile& core() const { return core_; }

 private:
  ByteReader reader(uint64_t address, uint64_t count) const;
  macho::CoreFile core_;
};

// The 10.7.3 offsets, as the doc states them.
namespace doc {
inline constexpr uint64_t kAllproc = 0xffffff80008d9e40, kZombproc = 0xffffff80008d9e38,
                          kKernproc = 0xffffff80008d8ce0, kInitproc = 0xffffff80008d8ce8,
                          kTasks = 0xffffff80008bad80, kKernelTask = 0xffffff80008bb120,
                          kKmod = 0xffffff80008df888, kVersion = 0xffffff80006f4e40,
                          kProcessorList = 0xffffff80008badb0, kFirstZone = 0xffffff80008bb7d8,
                          kDebugBuf = 0xffffff80008b0c80, kDebugBufPtr = 0xffffff8000801188,
                          kPeState = 0xffffff80008e1260, kKernelStackSize = 0xffffff8000801440,
                          kMhExecuteHeader = 0xffffff8000200000, kLastKernelSymbol = 0xffffff80008fc000,
                          kLowGloAlias = 0xffffff8000002000;
// proc
inline constexpr uint64_t kPListNext = 0x0, kPPid = 0x10, kPTask = 0x18, kPPptr = 0x20, kPPpid = 0x28,
                          kPStat = 0x60, kPSibling = 0x78, kPChildren = 0x88, kPUcred = 0xd0, kPFlag = 0x158,
                          kPChildrencnt = 0x16c, kPComm = 0x2cc, kPWqptr = 0x3b0;
// task
inline constexpr uint64_t kTMap = 0x20, kTTasks = 0x28, kTThreads = 0x40, kTThreadCount = 0x60,
                          kTItkSpace = 0x230, kTBsdInfo = 0x2d8;
struct Thread {
  uint64_t kernel_stack, state, last_processor, task_threads, task, uthread, thread_id, continuation;
};
inline constexpr Thread kRelease{0x70, 0x80, 0x108, 0x2d0, 0x348, 0x4b8, 0x4f0, 0x50};
inline constexpr Thread kDebug{0xf0, 0x100, 0x188, 0x3d0, 0x488, 0x5f8, 0x630, 0xd0};
inline constexpr uint64_t kProcessorListRelease = 0x1938, kProcessorListDebug = 0x1978;
inline constexpr uint64_t kZoneNumAllocsRelease = 0x200, kZoneNumAllocsDebug = 0x210;
}  // namespace doc

}  // namespace kdp::world::testing
