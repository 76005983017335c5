// The thread row of showallstacks / showcurrentthreads (showactheader + showactint, kgmacros.md
// §3), with the optional kernel stack (x86_64 frame-pointer walk from the saved kernel state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/json.h"
#include "kgm/context.h"
#include "kgm/kexts.h"
#include "kgm/object.h"

namespace kdp::kgm {

// showactint's second argument: 0 no stack; 1 stack; 2 stack, wait events never named by kext.
enum class StackMode { kNone = 0, kStack = 1, kStackKernelSymbols = 2 };

struct StackFrame {
  uint64_t frame = 0;           // rbp
  uint64_t return_address = 0;  // [rbp+8]
  std::string name;             // what kgmacros printed after the frame: "0x... <sym+4>"
};

struct KwqInfo {  // the pthread synchronizer the thread waits in (uu_kwe.kwe_kwqqueue)
  uint64_t kwq = 0;
  uint32_t lockseq = 0, retval = 0;
  uint64_t kw_addr = 0;
  uint32_t inqueue = 0, fakecount = 0, highseq = 0, lowseq = 0, flags = 0, lastunlock = 0, pre_rwwc = 0;
};

struct ThreadStack {
  bool has_uthread = false;
  std::optional<KwqInfo> kwq;
  uint64_t reserved_stack = 0;
  uint64_t kernel_stack = 0;
  uint64_t stacktop = 0;
  std::vector<StackFrame> frames;
  uint64_t stackbottom = 0;
  std::string continuation;  // when kernel_stack == 0: the continuation, as `output /a` prints it
};

struct ThreadRow {
  uint64_t thread = 0;
  bool workqueue_thread = false;  // static_param: "[WQ]"
  uint64_t thread_id = 0;
  uint64_t last_processor = 0;
  int32_t sched_pri = 0;
  bool has_uthread = false;
  bool rage = false;
  int io_policy = 0;
  uint32_t state = 0;
  uint64_t wait_queue = 0;
  uint64_t wait_event = 0;
  std::string wait_event_name;  // as printed
  std::optional<std::string> wait_message;  // uu_wmesg
  std::optional<std::string> thread_name;   // pth_name
  std::optional<ThreadStack> stack;         // StackMode != kNone
};

std::string thread_header();  // incl. "\n"
Expected<ThreadRow> read_thread_row(const KernelContext& ctx, KextNamer& kexts, const Object& thread, StackMode mode);
std::string render_text(const ThreadRow& row);
void write_json(JsonWriter& j, const ThreadRow& row);

// gdb's `output /a`: "0xffffff80002c5c44 <Debugger+4>" (decimal offset), or just the hex number.
std::string output_address(const KernelContext& ctx, uint64_t address);

}  // namespace kdp::kgm
