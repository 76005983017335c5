// showact and showactstack (kgmacros: `showactheader` then `showactint $arg0 0|1`): one thread's
// row, with its kernel stack for showactstack.
#include "kgm/commands_impl.h"
#include "kgm/task_walk.h"
#include "kgm/thread_rows.h"
#include "kgm/walk.h"

namespace kdp::kgm::cmd {
namespace {

CommandResult show_thread(const KernelContext& ctx, std::string_view name, uint64_t address, StackMode mode) {
  Report report{name};
  auto run = [&]() -> Status {
    KDP_TRY(Object thread, read_object(ctx.memory, ctx.types, "thread", address, kThreadFields));
    KextNamer kexts(ctx);
    KDP_TRY(ThreadRow row, read_thread_row(ctx, kexts, thread, mode));
    report.text(thread_header());
    report.add(row);
    return {};
  };
  return std::move(report).finish(run());
}

}  // namespace

CommandResult showact(const KernelContext& ctx, Arg thread) { return show_thread(ctx, "showact", *thread, StackMode::kNone); }

CommandResult showactstack(const KernelContext& ctx, Arg thread) {
  return show_thread(ctx, "showactstack", *thread, StackMode::kStack);
}

}  // namespace kdp::kgm::cmd
