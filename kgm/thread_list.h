// Every thread of every task, in the order kgmacros' showallstacks walks them (the `tasks` queue,
// then each task's `threads` queue), with what a debugger needs to switch to one: the registers its
// kernel stack saved when it last blocked (struct x86_kernel_state at the stack's top, which
// kgmacros' switchtoact loads into the register set). A thread without a kernel stack blocked with
// a continuation and has no saved registers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kgm/context.h"

namespace kdp::kgm {

struct SavedKernelState {  // struct x86_kernel_state
  uint64_t rbx = 0, rsp = 0, rbp = 0, r12 = 0, r13 = 0, r14 = 0, r15 = 0, rip = 0;
  friend bool operator==(const SavedKernelState&, const SavedKernelState&) = default;
};

struct KernelThread {
  uint64_t thread = 0;
  uint64_t task = 0;
  uint64_t thread_id = 0;
  std::string process;    // the task's p_comm; empty for a task without a proc
  uint64_t kernel_stack = 0;
  uint64_t continuation = 0;              // kernel_stack == 0: where it resumes
  std::optional<SavedKernelState> saved;  // kernel_stack != 0
};

// The thread at `address` (kgmacros' switchtoact / showactstack argument).
Expected<KernelThread> read_kernel_thread(const KernelContext& ctx, uint64_t address);

// Every thread of every task on `tasks`.
Expected<std::vector<KernelThread>> list_kernel_threads(const KernelContext& ctx);

// Whether the stack pointer lies in the thread's kernel stack (the thread running on the CPU that
// stopped is the one whose stack holds that CPU's rsp).
bool stack_holds(const KernelContext& ctx, const KernelThread& thread, uint64_t rsp);

}  // namespace kdp::kgm
