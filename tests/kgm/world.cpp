#include "world.h"

namespace kgm_test {
namespace {

using namespace addr;

// Offsets from xnu-layouts.md; the thread, processor and zone ones depend on the configuration.
struct ThreadOffsets {
  uint64_t wait_queue = 0x18, wait_event = 0x20, continuation, kernel_stack, reserved_stack, state,
      sched_pri, last_processor, task_threads, task, bits, uthread, thread_id, ext_actionstate, actionstate;
};
constexpr ThreadOffsets kReleaseThread{0x18, 0x20, 0x50, 0x70, 0x78, 0x80, 0x90, 0x108, 0x2d0, 0x348,
                                       0x374, 0x4b8, 0x4f0, 0x520, 0x530};
constexpr ThreadOffsets kDebugThread{0x18, 0x20, 0xd0, 0xf0, 0xf8, 0x100, 0x110, 0x188, 0x3d0, 0x488,
                                     0x4b4, 0x5f8, 0x630, 0x660, 0x670};

constexpr uint64_t kHwDisk = 52, kHwBg = 56;  // process_policy bit positions

struct ProcSpec {
  uint64_t at, task, pptr;
  int32_t pid, ppid;
  uint8_t stat;
  uint64_t first_child;
  int32_t children;
  uint64_t sibling, next, ucred;
  uint32_t flag, lflag;
  std::string comm;
  uint64_t wq;
};

void write_proc(PageMemory& m, const ProcSpec& p) {
  m.map(p.at, 0x440);
  m.u64(p.at + 0x0, p.next);
  m.u32(p.at + 0x10, static_cast<uint32_t>(p.pid));
  m.u64(p.at + 0x18, p.task);
  m.u64(p.at + 0x20, p.pptr);
  m.u32(p.at + 0x28, static_cast<uint32_t>(p.ppid));
  m.u8(p.at + 0x60, p.stat);
  m.u64(p.at + 0x78, p.sibling);
  m.u64(p.at + 0x88, p.first_child);
  m.u64(p.at + 0xd0, p.ucred);
  m.u32(p.at + 0x158, p.flag);
  m.u32(p.at + 0x15c, p.lflag);
  m.u32(p.at + 0x16c, static_cast<uint32_t>(p.children));
  m.str(p.at + 0x2cc, p.comm);
  m.u64(p.at + 0x3b0, p.wq);
}

struct TaskSpec {
  uint64_t at, next;
  int index;  // picks map and ipc_space
  int32_t thread_count;
  uint64_t bsd_info, first_thread;
  uint64_t ext_policy, policy;
};

void write_task(PageMemory& m, const TaskSpec& t) {
  m.map(t.at, 0x388);
  m.u64(t.at + 0x20, kMap0 + t.index * 0x1000);
  m.u64(t.at + 0x28, t.next);
  m.u64(t.at + 0x40, t.first_thread ? t.first_thread : t.at + 0x40);  // empty queue: points at itself
  m.u64(t.at + 0x48, t.at + 0x40);
  m.u32(t.at + 0x60, static_cast<uint32_t>(t.thread_count));
  m.u64(t.at + 0x230, kSpace0 + t.index * 0x1000);
  m.u64(t.at + 0x2d8, t.bsd_info);
  m.u64(t.at + 0x308, t.ext_policy);
  m.u64(t.at + 0x318, t.policy);
}

struct ThreadSpec {
  uint64_t at, task, next;
  uint64_t kernel_stack, reserved_stack, continuation;
  uint32_t state;
  int32_t sched_pri;
  uint64_t last_processor, wait_queue, wait_event, uthread, thread_id, ext_policy;
  bool static_param;
};

void write_thread(PageMemory& m, const ThreadOffsets& o, const ThreadSpec& t) {
  m.map(t.at, 0x680);
  m.u64(t.at + o.wait_queue, t.wait_queue);
  m.u64(t.at + o.wait_event, t.wait_event);
  m.u64(t.at + o.continuation, t.continuation);
  m.u64(t.at + o.kernel_stack, t.kernel_stack);
  m.u64(t.at + o.reserved_stack, t.reserved_stack);
  m.u32(t.at + o.state, t.state);
  m.u32(t.at + o.sched_pri, static_cast<uint32_t>(t.sched_pri));
  m.u64(t.at + o.last_processor, t.last_processor);
  m.u64(t.at + o.task_threads, t.next);
  m.u64(t.at + o.task, t.task);
  m.u32(t.at + o.bits, 0x3 | (t.static_param ? 0x4 : 0));  // active, started, static_param
  m.u64(t.at + o.uthread, t.uthread);
  m.u64(t.at + o.thread_id, t.thread_id);
  m.u64(t.at + o.ext_actionstate, t.ext_policy);
}

// x86_kernel_state at the top of the stack holds k_rbp (+0x10); frames are {saved rbp, return}.
void write_stack(PageMemory& m, uint64_t stack, std::initializer_list<std::pair<uint64_t, uint64_t>> frames) {
  m.map(stack, 0x4000);
  uint64_t state = stack + 0x4000 - 0x40;
  m.u64(state + 0x10, frames.begin()->first);
  for (auto it = frames.begin(); it != frames.end(); ++it) {
    auto next = std::next(it);
    m.u64(it->first, next == frames.end() ? 0 : next->first);
    m.u64(it->first + 8, it->second);
  }
}

void write_procs(PageMemory& m) {
  m.u64(kAllproc, P4);
  m.u64(kKernproc, P0);
  m.u64(kInitproc, P1);
  write_proc(m, {P0, T0, P0, 0, 0, 2, P1, 1, 0, 0, 0, 0x204, 0, "kernel_task", 0});
  write_proc(m, {P1, T1, P0, 1, 0, 2, P3, 2, 0, P0, C1, 0x4004, 0x400000, "launchd", W1});
  write_proc(m, {P2, T2, P1, 10, 1, 2, 0, 0, 0, P1, C1, 0x4004, 0, "kextd", 0});
  write_proc(m, {P3, T3, P1, 12, 1, 3, P4, 1, P2, P2, C3, 0x4005, 0, "loginwindow", 0});
  write_proc(m, {P4, T4, P3, 41, 12, 3, 0, 0, 0, P3, C3, 0x4000, 0, "Finder", 0});
  m.u64(kZombproc, PX);
  write_proc(m, {PX, T5, P1, 78, 1, 2, 0, 0, 0, PZ, 0, 0x2004, 0, "exiting", 0});
  write_proc(m, {PZ, 0, P1, 77, 1, 5, 0, 0, 0, 0, 0, 0x2004, 0, "zombie", 0});
  // Credentials (cr_posix at +0x18: uid, ruid, svuid) and launchd's workqueue.
  m.u32(C1 + 0x18, 0), m.u32(C1 + 0x1c, 0), m.u32(C1 + 0x20, 0);
  m.u32(C3 + 0x18, 501), m.u32(C3 + 0x1c, 502), m.u32(C3 + 0x20, 503);
  m.u32(W1 + 0x2028, 0), m.u32(W1 + 0x204c, 2), m.u32(W1 + 0x2050, 1);
}

void write_tasks(PageMemory& m, const ThreadOffsets& o) {
  m.u64(kTasks, T0);
  m.u64(kTasks + 8, T5);
  write_task(m, {T0, T1, 0, 2, P0, TH0a, 0, 0});
  write_task(m, {T1, T2, 1, 1, P1, TH1, 0, uint64_t{3} << kHwDisk});
  write_task(m, {T2, T3, 2, 3, P2, 0, uint64_t{2} << kHwDisk, 0});
  write_task(m, {T3, T4, 3, 4, P3, 0, uint64_t{1} << kHwBg, 0});
  write_task(m, {T4, T5, 4, 5, P4, 0, uint64_t{1} << kHwBg, uint64_t{1} << kHwBg});
  write_task(m, {T5, kTasks, 5, 0, 0, 0, 0, 0});
  write_thread(m, o, {TH0a, T0, TH0b, KS0, kReserved0, 0, 0x1, 80, CPU0, kWaitQueue0, kVmPageFreeWanted + 8, 0, 0x65, 0, false});
  write_thread(m, o, {TH0b, T0, T0 + 0x40, 0, 0, kThreadContinue, 0x4, 0, CPU1, 0, 0, 0, 0x66, 0, false});
  write_thread(m, o, {TH1, T1, T1 + 0x40, KS1, 0, 0, 0x1, 31, CPU0, kWaitQueue1, kHeapEvent, U1, 0x1f4,
                      uint64_t{3} << kHwDisk, true});
  m.u64(kKernelStackSize, 0x4000);
  write_stack(m, KS0, {{KS0 + 0x3f00, kThreadBlockReason + 0x1a}});
  write_stack(m, KS1, {{KS1 + 0x3e00, kThreadBlockReason + 0x1a}, {KS1 + 0x3f00, K1Text + 0x1f0}});
  // uthread: uu_wmesg +0x118, uu_flag +0x120 (0x400 = RAGE), pth_name +0x2a8.
  m.map(U1, 0x2e0);
  m.u64(U1 + 0x118, kWmesg);
  m.u32(U1 + 0x120, 0x400);
  m.u64(U1 + 0x2a8, kPthName);
  m.str(kWmesg, "select");
  m.str(kPthName, "worker");
}

void write_kmod(PageMemory& m, uint64_t at, uint64_t next, uint32_t id, const std::string& name,
                const std::string& version, int32_t refs, uint64_t address, uint64_t size) {
  m.map(at, 0xc4);
  m.u64(at + 0x0, next);
  m.u32(at + 0x8, 1);
  m.u32(at + 0xc, id);
  m.str(at + 0x10, name);
  m.str(at + 0x50, version);
  m.u32(at + 0x90, static_cast<uint32_t>(refs));
  m.u64(at + 0x9c, address);
  m.u64(at + 0xa4, size);
}

void write_zone(PageMemory& m, bool debug, uint64_t at, uint64_t next, int32_t count, uint64_t cur, uint64_t max,
                uint64_t elem, uint64_t alloc, uint32_t allocs, uint32_t frees, uint64_t name, uint32_t bits) {
  uint64_t grow = debug ? 0x10 : 0;
  m.map(at, 0x220);
  m.u32(at + 0x0, static_cast<uint32_t>(count));
  m.u64(at + 0x188, cur), m.u64(at + 0x190, max), m.u64(at + 0x198, elem), m.u64(at + 0x1a0, alloc);
  m.u32(at + 0x1b0, bits);
  m.u64(at + 0x1b8, next);
  m.u64(at + 0x1f8, name);
  m.u32(at + 0x200 + grow, allocs);
  m.u32(at + 0x204 + grow, frees);
}

void write_machine(PageMemory& m, bool debug) {
  m.u64(kKmod, K1);
  write_kmod(m, K1, K2, 12, "com.apple.driver.AppleACPIPlatform", "1.4", 3, K1Text, 0x40000);
  write_kmod(m, K2, 0, 11, "com.apple.iokit.IOACPIFamily", "1.4.0", 8, K2Text, 0x5000);
  uint64_t list = debug ? 0x1978 : 0x1938;
  m.u64(kProcessorList, CPU0);
  m.map(CPU0, 0x1b00), m.map(CPU1, 0x1b00);
  m.u32(CPU0 + 0x10, 6), m.u64(CPU0 + 0x18, TH1), m.u32(CPU0 + 0x40, 0), m.u64(CPU0 + list, CPU1);
  m.u32(CPU1 + 0x10, 4), m.u64(CPU1 + 0x18, 0), m.u32(CPU1 + 0x40, 1), m.u64(CPU1 + list, 0);
  m.u64(kFirstZone, Z1);
  write_zone(m, debug, Z1, Z2, 100, 0x6000, 0x80000, 224, 0x1000, 150, 50, kZ1Name, 0x6);
  write_zone(m, debug, Z2, 0, 7, 0x1000, 0x4000, 16, 0x1000, 1234567, 1234560, kZ2Name, 0x401);
  m.str(kZ1Name, "vm objects");
  m.str(kZ2Name, "kalloc.16");
  m.map(kDebugBuf, 3 * 4096);
  m.str(kDebugBuf, kPanicText);
  m.u64(kDebugBufPtr, kDebugBuf + kPanicText.size());
  m.u64(kPEState + 0xa0, kBootArgs);
  m.map(kBootArgs, 0x1000);
  m.str(kBootArgs + 0x8, "-v debug=0x144");
}

void add_symbols(kdp::kgm::MapSymbolSource& s) {
  std::pair<const char*, uint64_t> globals[] = {
      {"_mh_execute_header", kMhExecuteHeader}, {"last_kernel_symbol", kLastKernelSymbol},
      {"tasks", kTasks}, {"allproc", kAllproc}, {"zombproc", kZombproc}, {"kernproc", kKernproc},
      {"initproc", kInitproc}, {"kmod", kKmod}, {"processor_list", kProcessorList},
      {"first_zone", kFirstZone}, {"debug_buf", kDebugBuf}, {"debug_buf_ptr", kDebugBufPtr},
      {"PE_state", kPEState}, {"version", kVersion}, {"kernel_stack_size", kKernelStackSize},
      {"thread_block_reason", kThreadBlockReason}, {"thread_continue", kThreadContinue},
      {"vm_page_free_wanted", kVmPageFreeWanted}};
  for (auto& [name, address] : globals) s.add(name, address);
}

}  // namespace

std::unique_ptr<World> build_world(bool debug) {
  auto w = std::make_unique<World>();
  w->version = debug ? kDebugVersion : kReleaseVersion;
  w->memory.str(kVersion, w->version);
  write_procs(w->memory);
  write_tasks(w->memory, debug ? kDebugThread : kReleaseThread);
  write_machine(w->memory, debug);
  add_symbols(w->symbols);
  auto types = kdp::kgm::builtin_types_for(w->version);
  if (types) w->types = std::make_unique<kdp::kgm::TypeModel>(std::move(*types));
  return w;
}

}  // namespace kgm_test
