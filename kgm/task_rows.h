// The task row kgmacros prints in showalltasks, showtask, showpid, showproc, showallstacks and
// showcurrentthreads (showtaskheader/showtaskint + showprocheader/showprocint, kgmacros.md §3).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/json.h"
#include "kgm/context.h"
#include "kgm/object.h"
#include "kgm/report.h"

namespace kdp::kgm {

struct WorkqueueState {
  uint32_t nthreads = 0;
  uint32_t idle_threads = 0;
  int32_t item_count = 0;
};

struct ProcColumns {
  uint64_t proc = 0;
  int32_t pid = 0;
  bool rage = false;    // p_lflag & P_LRAGE_VNODES
  int io_policy = 0;    // 2 PASS, 3 THROT, 4 BG_THRT, 5 EBG_THRT, else blank
  std::optional<WorkqueueState> workqueue;
  std::string command;  // p_comm
};

struct TaskRow {
  uint64_t task = 0;
  uint64_t map = 0;
  uint64_t ipc_space = 0;
  int32_t thread_count = 0;
  std::optional<ProcColumns> proc;  // nullopt when bsd_info is NULL ("*0*")
};

// The task fields every task walk reads (the row's and the list links), declared once for the
// planner.
inline constexpr std::array<std::string_view, 8> kTaskFields = {
    "map", "tasks", "threads", "thread_count", "itk_space", "bsd_info", "ext_actionstate", "actionstate"};
inline constexpr std::array<std::string_view, 5> kProcRowFields = {"p_pid", "task", "p_lflag", "p_comm", "p_wqptr"};

Expected<Object> read_task(const KernelContext& ctx, uint64_t task);
Expected<TaskRow> read_task_row(const KernelContext& ctx, const Object& task);

std::string task_header();  // header line incl. "\n"
std::string render_text(const TaskRow& row);
void write_json(JsonWriter& j, const TaskRow& row);

// The I/O policy kgmacros derives from a process_policy pair (task or thread):
// ext.hw_disk if set else hw_disk; ext.hw_bg set -> 5; hw_bg set -> 4.
Expected<int> io_policy(const Object& object);
// "PASS    ", "THROT   ", "BG_THRT ", "EBG_THRT" or "" for any other value.
std::string_view io_policy_name(int policy);

}  // namespace kdp::kgm
