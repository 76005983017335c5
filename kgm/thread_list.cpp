#include "kgm/thread_list.h"

#include "kgm/task_rows.h"
#include "kgm/task_walk.h"
#include "kgm/walk.h"

namespace kdp::kgm {
namespace {

constexpr uint64_t kX86KernelStateSize = 0x40;

Expected<uint64_t> kernel_stack_size(const KernelContext& ctx) {
  KDP_TRY(uint64_t global, ctx.global("kernel_stack_size"));
  return read_u64(ctx.memory, global, "kernel_stack_size");
}

Expected<SavedKernelState> read_saved_state(const KernelContext& ctx, uint64_t kernel_stack) {
  KDP_TRY(uint64_t size, kernel_stack_size(ctx));
  static constexpr std::string_view kFields[] = {"k_rbx", "k_rsp", "k_rbp", "k_r12", "k_r13", "k_r14", "k_r15", "k_rip"};
  KDP_TRY(Object k, read_object(ctx.memory, ctx.types, "x86_kernel_state", kernel_stack + size - kX86KernelStateSize, kFields));
  SavedKernelState s;
  uint64_t* values[] = {&s.rbx, &s.rsp, &s.rbp, &s.r12, &s.r13, &s.r14, &s.r15, &s.rip};
  for (size_t i = 0; i < std::size(kFields); ++i) {
    KDP_TRY(*values[i], k.u(kFields[i]));
  }
  return s;
}

Expected<KernelThread> kernel_thread(const KernelContext& ctx, const Object& thread) {
  KernelThread t;
  t.thread = thread.address();
  KDP_TRY(t.task, thread.u("task"));
  KDP_TRY(t.thread_id, thread.u("thread_id"));
  KDP_TRY(t.kernel_stack, thread.u("kernel_stack"));
  if (t.kernel_stack == 0) {
    KDP_TRY(t.continuation, thread.u("continuation"));
  } else {
    KDP_TRY(t.saved, read_saved_state(ctx, t.kernel_stack));
  }
  return t;
}

Expected<std::string> process_name(const KernelContext& ctx, const Object& task) {
  KDP_TRY(TaskRow row, read_task_row(ctx, task));
  return row.proc ? row.proc->command : std::string();
}

}  // namespace

Expected<KernelThread> read_kernel_thread(const KernelContext& ctx, uint64_t address) {
  KDP_TRY(Object thread, read_object(ctx.memory, ctx.types, "thread", address, kThreadFields));
  KDP_TRY(KernelThread t, kernel_thread(ctx, thread));
  if (t.task != 0) {
    KDP_TRY(Object task, read_task(ctx, t.task));
    KDP_TRY(t.process, process_name(ctx, task));
  }
  return t;
}

Expected<std::vector<KernelThread>> list_kernel_threads(const KernelContext& ctx) {
  std::vector<KernelThread> out;
  KDP_TRY_STATUS(for_each_task(ctx, [&](const Object& task) -> Status {
    KDP_TRY(std::string process, process_name(ctx, task));
    return for_each_thread(ctx, task, [&](const Object& thread) -> Status {
      KDP_TRY(KernelThread t, kernel_thread(ctx, thread));
      t.process = process;
      out.push_back(std::move(t));
      return {};
    });
  }));
  return out;
}

bool stack_holds(const KernelContext& ctx, const KernelThread& thread, uint64_t rsp) {
  if (thread.kernel_stack == 0) return false;
  auto size = kernel_stack_size(ctx);
  return size && rsp >= thread.kernel_stack && rsp < thread.kernel_stack + *size;
}

}  // namespace kdp::kgm
