#include "kgm/task_rows.h"

namespace kdp::kgm {
namespace {

constexpr std::string_view kPad = "        ";  // showptrhdrpad on LP64

Expected<std::optional<WorkqueueState>> read_workqueue(const KernelContext& ctx, uint64_t wq) {
  if (wq == 0) return std::optional<WorkqueueState>();
  KDP_TRY(Object w, read_object(ctx.memory, ctx.types, "workqueue", wq,
                                {"wq_nthreads", "wq_thidlecount", "wq_itemcount"}));
  KDP_TRY(uint64_t nthreads, w.u("wq_nthreads"));
  KDP_TRY(uint64_t idle, w.u("wq_thidlecount"));
  KDP_TRY(int64_t items, w.i("wq_itemcount"));
  return std::optional<WorkqueueState>(WorkqueueState{static_cast<uint32_t>(nthreads),
                                                      static_cast<uint32_t>(idle),
                                                      static_cast<int32_t>(items)});
}

// showprocint: the policy comes from proc->task, which is normally the row's own task.
Expected<ProcColumns> read_proc_columns(const KernelContext& ctx, const Object& task, uint64_t proc_address) {
  KDP_TRY(Object proc, read_object(ctx.memory, ctx.types, "proc", proc_address, kProcRowFields));
  ProcColumns c;
  c.proc = proc_address;
  KDP_TRY(int64_t pid, proc.i("p_pid"));
  c.pid = static_cast<int32_t>(pid);
  KDP_TRY(uint64_t lflag, proc.u("p_lflag"));
  c.rage = (lflag & 0x400000) != 0;
  KDP_TRY(uint64_t proc_task, proc.u("task"));
  if (proc_task == task.address()) {
    KDP_TRY(c.io_policy, io_policy(task));
  } else {
    KDP_TRY(Object other, read_object(ctx.memory, ctx.types, "task", proc_task, {"ext_actionstate", "actionstate"}));
    KDP_TRY(c.io_policy, io_policy(other));
  }
  KDP_TRY(uint64_t wq, proc.u("p_wqptr"));
  KDP_TRY(c.workqueue, read_workqueue(ctx, wq));
  KDP_TRY(c.command, proc.str("p_comm"));
  return c;
}

}  // namespace

Expected<int> io_policy(const Object& object) {
  KDP_TRY(uint64_t ext_disk, object.u("ext_actionstate.hw_disk"));
  KDP_TRY(uint64_t disk, object.u("actionstate.hw_disk"));
  KDP_TRY(uint64_t ext_bg, object.u("ext_actionstate.hw_bg"));
  KDP_TRY(uint64_t bg, object.u("actionstate.hw_bg"));
  int policy = static_cast<int>(ext_disk != 0 ? ext_disk : disk);
  if (ext_bg != 0) policy = 5;
  if (bg != 0) policy = 4;
  return policy;
}

std::string_view io_policy_name(int policy) {
  switch (policy) {
    case 2: return "PASS    ";
    case 3: return "THROT   ";
    case 4: return "BG_THRT ";
    case 5: return "EBG_THRT";
    default: return "";
  }
}

Expected<Object> read_task(const KernelContext& ctx, uint64_t task) {
  return read_object(ctx.memory, ctx.types, "task", task, kTaskFields);
}

Expected<TaskRow> read_task_row(const KernelContext& ctx, const Object& task) {
  TaskRow row;
  row.task = task.address();
  KDP_TRY(row.map, task.u("map"));
  KDP_TRY(row.ipc_space, task.u("itk_space"));
  KDP_TRY(int64_t threads, task.i("thread_count"));
  row.thread_count = static_cast<int32_t>(threads);
  KDP_TRY(uint64_t bsd_info, task.u("bsd_info"));
  if (bsd_info != 0) {
    KDP_TRY(ProcColumns proc, read_proc_columns(ctx, task, bsd_info));
    row.proc = std::move(proc);
  }
  return row;
}

std::string task_header() {
  std::string h = "task      ";
  h += kPad;
  h += "  vm_map    ";
  h += kPad;
  h += "  ipc_space ";
  h += kPad;
  h += " #acts ";
  h += "  pid  process     ";
  h += kPad;
  h += "io_policy    wq_state   command\n";
  return h;
}

std::string render_text(const TaskRow& row) {
  std::string s = showptr(row.task) + "  " + showptr(row.map) + "  " + showptr(row.ipc_space) +
                  cformat(" %5d ", row.thread_count);
  if (!row.proc) return s + "  *0*  " + showptr(0) + "  --\n";
  const ProcColumns& p = *row.proc;
  s += cformat("%5d  ", p.pid) + showptr(p.proc);
  s += p.rage ? "  RAGE " : "       ";
  std::string_view policy = io_policy_name(p.io_policy);
  s += policy.empty() ? "      " : std::string(policy);  // 6 blanks, as showprocint prints
  if (p.workqueue)
    s += cformat("  %2d %2d %2d ", static_cast<int>(p.workqueue->nthreads),
                 static_cast<int>(p.workqueue->idle_threads), p.workqueue->item_count);
  else
    s += "           ";
  return s + "  " + p.command + "\n";
}

void write_json(JsonWriter& j, const TaskRow& row) {
  j.field("type", "task").hex_field("task", row.task).hex_field("vm_map", row.map);
  j.hex_field("ipc_space", row.ipc_space).field("thread_count", row.thread_count);
  if (!row.proc) {
    j.key("proc").null();
    return;
  }
  const ProcColumns& p = *row.proc;
  j.key("proc").begin_object().hex_field("address", p.proc).field("pid", p.pid);
  j.field("rage", p.rage).field("io_policy", p.io_policy);
  j.key("workqueue");
  if (p.workqueue) {
    j.begin_object().field("nthreads", p.workqueue->nthreads).field("idle_threads", p.workqueue->idle_threads);
    j.field("item_count", p.workqueue->item_count).end_object();
  } else {
    j.null();
  }
  j.field("command", p.command).end_object();
}

}  // namespace kdp::kgm
