#include "kgm/task_walk.h"

#include "kgm/task_rows.h"
#include "kgm/walk.h"

namespace kdp::kgm {

Status for_each_task(const KernelContext& ctx, const TaskVisitor& visit, const StopEarly& done) {
  KDP_TRY(uint64_t head, ctx.global("tasks"));
  KDP_TRY(uint64_t first, read_u64(ctx.memory, head, "tasks.next"));
  return walk_list({"tasks", first, head}, [&](uint64_t address) -> Expected<uint64_t> {
    KDP_TRY(Object task, read_task(ctx, address));
    KDP_TRY_STATUS(visit(task));
    if (done && done()) return head;
    return task.u("tasks.next");
  });
}

Status for_each_thread(const KernelContext& ctx, const Object& task, const ThreadVisitor& visit) {
  KDP_TRY(uint64_t head, task.address_of("threads"));
  KDP_TRY(uint64_t first, task.u("threads.next"));
  return walk_list({"task " + hex(task.address()) + " threads", first, head},
                   [&](uint64_t thread) -> Expected<uint64_t> {
                     KDP_TRY(Object t, read_object(ctx.memory, ctx.types, "thread", thread, kThreadFields));
                     KDP_TRY_STATUS(visit(t));
                     return t.u("task_threads.next");
                   });
}

}  // namespace kdp::kgm
