// Walks of the Mach queues kgmacros follow: the global `tasks` queue (linked through task.tasks)
// and a task's `threads` queue (linked through thread.task_threads). queue_head_t links point at
// the next element itself and end at the head's own address (kgmacros.md §1).
#pragma once

#include <functional>

#include "kgm/context.h"
#include "kgm/object.h"

namespace kdp::kgm {

using TaskVisitor = std::function<Status(const Object& task)>;
using ThreadVisitor = std::function<Status(const Object& thread)>;

// The thread fields the thread rows and stack walks read (and the list link), for the planner.
inline constexpr std::string_view kThreadFields[] = {
    "wait_queue", "wait_event", "continuation", "kernel_stack", "reserved_stack", "state",
    "sched_pri", "last_processor", "task_threads", "task", "static_param", "uthread", "thread_id",
    "ext_actionstate", "actionstate"};
using StopEarly = std::function<bool()>;

// Reads each task (kTaskFields) and hands it to `visit`; stops cleanly when `done` says so.
Status for_each_task(const KernelContext& ctx, const TaskVisitor& visit, const StopEarly& done = {});

// The threads of one task (already read with kTaskFields), each read with kThreadFields.
Status for_each_thread(const KernelContext& ctx, const Object& task, const ThreadVisitor& visit);

}  // namespace kdp::kgm
