// A small hand-built 10.7.3 kernel world for the kgmacros command tests: a few procs, tasks,
// threads, kexts, zones and processors written byte by byte at the offsets of xnu-layouts.md
// (written here again as numbers, independent of the library's layouts).
#pragma once

#include <memory>
#include <string>

#include "kgm/context.h"
#include "kgm/layouts_xnu1699.h"
#include "page_memory.h"

namespace kgm_test {

namespace addr {
// Globals (10.7.3 RELEASE addresses, kgmacros.md §2).
constexpr uint64_t kMhExecuteHeader = 0xffffff8000200000, kLastKernelSymbol = 0xffffff80008fc000;
constexpr uint64_t kTasks = 0xffffff80008bad80, kAllproc = 0xffffff80008d9e40, kZombproc = 0xffffff80008d9e38;
constexpr uint64_t kKernproc = 0xffffff80008d8ce0, kInitproc = 0xffffff80008d8ce8, kKmod = 0xffffff80008df888;
constexpr uint64_t kProcessorList = 0xffffff80008badb0, kFirstZone = 0xffffff80008bb7d8;
constexpr uint64_t kDebugBuf = 0xffffff80008b0c80, kDebugBufPtr = 0xffffff8000801188;
constexpr uint64_t kPEState = 0xffffff80008e1260, kVersion = 0xffffff80006f4e40;
constexpr uint64_t kKernelStackSize = 0xffffff8000801440;
// Kernel functions and data the threads point into.
constexpr uint64_t kThreadBlockReason = 0xffffff800022ca00, kThreadContinue = 0xffffff800022e000;
constexpr uint64_t kVmPageFreeWanted = 0xffffff8000840000;
// Procs (allproc is newest first: P4, P3, P2, P1, P0), zombies, tasks, threads.
constexpr uint64_t P0 = 0xffffff80073e9000, P1 = 0xffffff80073e8560, P2 = 0xffffff80073e7f60;
constexpr uint64_t P3 = 0xffffff80073e79e0, P4 = 0xffffff80073e6300;
constexpr uint64_t PX = 0xffffff80073e5000, PZ = 0xffffff80073e4000;
constexpr uint64_t T0 = 0xffffff8007d12000, T1 = 0xffffff8007d12b90, T2 = 0xffffff8007d13800;
constexpr uint64_t T3 = 0xffffff8007d14000, T4 = 0xffffff8007d15000, T5 = 0xffffff8007d16000;
constexpr uint64_t kMap0 = 0xffffff8006d1a000, kSpace0 = 0xffffff8006e9b000;  // + i * 0x1000
constexpr uint64_t TH0a = 0xffffff8007f00000, TH0b = 0xffffff8007f01000, TH1 = 0xffffff8007f02000;
constexpr uint64_t U1 = 0xffffff8007f80000, kWmesg = 0xffffff8007f90000, kPthName = 0xffffff8007f90100;
constexpr uint64_t C1 = 0xffffff8007e00000, C3 = 0xffffff8007e00100, W1 = 0xffffff8008000000;
constexpr uint64_t KS0 = 0xffffff8007a00000, KS1 = 0xffffff8007a10000, kReserved0 = 0xffffff8007a20000;
constexpr uint64_t kWaitQueue0 = 0xffffff8000845000, kWaitQueue1 = 0xffffff8006f00000;
constexpr uint64_t kHeapEvent = 0xffffff8007100000;
// Kexts (below the kernel), processors, zones, boot args.
constexpr uint64_t K1 = 0xffffff7f80a3e0a0, K1Text = 0xffffff7f80a00000, K2 = 0xffffff7f80c050a0;
constexpr uint64_t K2Text = 0xffffff7f80c00000;
constexpr uint64_t CPU0 = 0xffffff8006a00000, CPU1 = 0xffffff8006a02000;
constexpr uint64_t Z1 = 0xffffff8006b00000, Z2 = 0xffffff8006b00400;
constexpr uint64_t kZ1Name = 0xffffff8006b10000, kZ2Name = 0xffffff8006b10100;
constexpr uint64_t kBootArgs = 0xffffff8006c00000;
}  // namespace addr

inline const std::string kReleaseVersion =
    "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; root:xnu-1699.24.23~1/RELEASE_X86_64";
inline const std::string kDebugVersion =
    "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; root:xnu-1699.24.23~1/DEBUG_X86_64";
inline const std::string kPanicText = "panic(cpu 0 caller 0xffffff800022ca1a): \"test\"\nsecond line\n";

struct World {
  PageMemory memory;
  kdp::kgm::MapSymbolSource symbols;
  std::string version;
  std::unique_ptr<kdp::kgm::TypeModel> types;

  kdp::kgm::KernelContext context() { return {memory, *types, symbols, version}; }
};

// The world of a RELEASE (or DEBUG: other thread, processor and zone offsets) kernel.
std::unique_ptr<World> build_world(bool debug = false);

// Offsets the corruption tests poke at (xnu-layouts.md).
namespace off {
constexpr uint64_t p_list = 0x0, p_pid = 0x10, p_task = 0x18, p_pptr = 0x20, p_sibling = 0x78;
constexpr uint64_t p_children = 0x88, p_childrencnt = 0x16c, p_comm = 0x2cc;
constexpr uint64_t task_tasks = 0x28, task_bsd_info = 0x2d8, kmod_next = 0x0;
}  // namespace off

}  // namespace kgm_test
