// showalltasks, showtask, showpid, showproc (kgmacros.md §3): the task header, then task rows.
#include "kgm/commands_impl.h"
#include "kgm/task_rows.h"
#include "kgm/task_walk.h"

namespace kdp::kgm::cmd {
namespace {

Status add_task_row(const KernelContext& ctx, Report& report, const Object& task) {
  KDP_TRY(TaskRow row, read_task_row(ctx, task));
  report.add(row);
  return {};
}

Status show_one_task(const KernelContext& ctx, Report& report, uint64_t address) {
  KDP_TRY(Object task, read_task(ctx, address));
  return add_task_row(ctx, report, task);
}

}  // namespace

CommandResult showalltasks(const KernelContext& ctx, Arg) {
  Report report("showalltasks");
  report.text(task_header());
  Status status = for_each_task(ctx, [&](const Object& task) { return add_task_row(ctx, report, task); });
  return std::move(report).finish(std::move(status));
}

CommandResult showtask(const KernelContext& ctx, Arg task) {
  Report report("showtask");
  report.text(task_header());
  return std::move(report).finish(show_one_task(ctx, report, task.value_or(0)));
}

CommandResult showpid(const KernelContext& ctx, Arg pid) {
  Report report("showpid");
  report.text(task_header());
  bool found = false;
  Status status = for_each_task(ctx, [&](const Object& task) -> Status {
    if (found) return {};
    KDP_TRY(uint64_t proc_address, task.u("bsd_info"));
    if (proc_address == 0) return {};
    KDP_TRY(Object proc, read_object(ctx.memory, ctx.types, "proc", proc_address, kProcRowFields));
    KDP_TRY(int64_t p_pid, proc.i("p_pid"));
    if (p_pid != static_cast<int64_t>(static_cast<int32_t>(pid.value_or(0)))) return {};
    found = true;
    return add_task_row(ctx, report, task);
  }, [&] { return found; });
  // kgmacros printed the bare header; an answer that finds nothing must say so.
  if (status && !found)
    status = Error(ErrorKind::kNotFound, "showpid: no process with pid " + std::to_string(static_cast<int32_t>(pid.value_or(0))));
  return std::move(report).finish(std::move(status));
}

CommandResult showproc(const KernelContext& ctx, Arg proc_address) {
  Report report("showproc");
  report.text(task_header());
  auto run = [&]() -> Status {
    KDP_TRY(Object proc, read_object(ctx.memory, ctx.types, "proc", proc_address.value_or(0), {"task"}));
    KDP_TRY(uint64_t task, proc.u("task"));
    return show_one_task(ctx, report, task);
  };
  return std::move(report).finish(run());
}

}  // namespace kdp::kgm::cmd
