// showallstacks and showcurrentthreads (kgmacros.md §3): task rows followed by thread rows, with
// kernel stacks for showallstacks (and its "Zombie Processes:" tail, zombstacks).
#include "kgm/commands_impl.h"
#include "kgm/task_rows.h"
#include "kgm/task_walk.h"
#include "kgm/thread_rows.h"
#include "kgm/walk.h"

namespace kdp::kgm::cmd {
namespace {

struct ProcessorLine {
  uint64_t processor = 0;
  int32_t state = 0;
  int32_t cpu_id = 0;
};

std::string render_text(const ProcessorLine& p) {
  return "Processor " + showptr(p.processor) + cformat(" State %d (cpu_id 0x%x)\n", p.state, static_cast<unsigned>(p.cpu_id));
}

void write_json(JsonWriter& j, const ProcessorLine& p) {
  j.field("type", "processor").hex_field("processor", p.processor).field("state", p.state).field("cpu_id", p.cpu_id);
}

Status add_task(const KernelContext& ctx, Report& report, const Object& task) {
  report.text(task_header());
  KDP_TRY(TaskRow row, read_task_row(ctx, task));
  report.add(row);
  return {};
}

Status add_thread(const KernelContext& ctx, KextNamer& kexts, Report& report, const Object& thread, StackMode mode) {
  KDP_TRY(ThreadRow row, read_thread_row(ctx, kexts, thread, mode));
  report.add(row);
  return {};
}

// showtaskstacks: header and row, then each thread with its own header and stack (mode 1).
Status show_task_stacks(const KernelContext& ctx, KextNamer& kexts, Report& report, uint64_t task_address) {
  KDP_TRY(Object task, read_task(ctx, task_address));
  KDP_TRY_STATUS(add_task(ctx, report, task));
  return for_each_thread(ctx, task, [&](const Object& thread) {
    report.text(thread_header());
    return add_thread(ctx, kexts, report, thread, StackMode::kStack);
  });
}

// zombstacks: the stacks of zombie-list procs that are still exiting (p_stat != SZOMB).
Status zombie_stacks(const KernelContext& ctx, KextNamer& kexts, Report& report) {
  KDP_TRY(uint64_t head, ctx.global("zombproc"));
  KDP_TRY(uint64_t first, read_u64(ctx.memory, head, "zombproc.lh_first"));
  return walk_list({"zombproc", first, 0}, [&](uint64_t address) -> Expected<uint64_t> {
    KDP_TRY(Object proc, read_object(ctx.memory, ctx.types, "proc", address, {"p_list", "task", "p_stat"}));
    KDP_TRY(int64_t stat, proc.i("p_stat"));
    if (stat != 5) {
      KDP_TRY(uint64_t task, proc.u("task"));
      KDP_TRY_STATUS(show_task_stacks(ctx, kexts, report, task));
    }
    return proc.u("p_list.le_next");
  });
}

Status all_stacks(const KernelContext& ctx, Report& report) {
  KextNamer kexts(ctx);
  KDP_TRY_STATUS(for_each_task(ctx, [&](const Object& task) -> Status {
    KDP_TRY_STATUS(add_task(ctx, report, task));
    KDP_TRY_STATUS(for_each_thread(ctx, task, [&](const Object& thread) {
      report.text(thread_header());
      return add_thread(ctx, kexts, report, thread, StackMode::kStackKernelSymbols);
    }));
    report.text("\n");
    return {};
  }));
  report.text("\nZombie Processes:\n");
  return zombie_stacks(ctx, kexts, report);
}

Expected<uint64_t> show_processor(const KernelContext& ctx, KextNamer& kexts, Report& report, uint64_t address) {
  KDP_TRY(Object p, read_object(ctx.memory, ctx.types, "processor", address,
                                {"state", "active_thread", "cpu_id", "processor_list"}));
  KDP_TRY(int64_t state, p.i("state"));
  KDP_TRY(int64_t cpu, p.i("cpu_id"));
  report.add(ProcessorLine{address, static_cast<int32_t>(state), static_cast<int32_t>(cpu)});
  KDP_TRY(uint64_t active, p.u("active_thread"));
  if (active != 0) {
    KDP_TRY(Object thread, read_object(ctx.memory, ctx.types, "thread", active, kThreadFields));
    KDP_TRY(uint64_t task_address, thread.u("task"));
    KDP_TRY(Object task, read_task(ctx, task_address));
    KDP_TRY_STATUS(add_task(ctx, report, task));
    report.text(thread_header());
    KDP_TRY_STATUS(add_thread(ctx, kexts, report, thread, StackMode::kNone));
    report.text("\n");
  }
  return p.u("processor_list");
}

}  // namespace

CommandResult showallstacks(const KernelContext& ctx, Arg) {
  Report report("showallstacks");
  Status status = all_stacks(ctx, report);
  return std::move(report).finish(std::move(status));
}

CommandResult showcurrentthreads(const KernelContext& ctx, Arg) {
  Report report("showcurrentthreads");
  auto run = [&]() -> Status {
    KextNamer kexts(ctx);
    KDP_TRY(uint64_t head, ctx.global("processor_list"));
    KDP_TRY(uint64_t first, read_u64(ctx.memory, head, "processor_list"));
    return walk_list({"processor_list", first, 0},
                     [&](uint64_t p) { return show_processor(ctx, kexts, report, p); });
  };
  return std::move(report).finish(run());
}

}  // namespace kdp::kgm::cmd
