// showprocinfo, allproc, zombproc (kgmacros.md §3): one block of lines per proc.
#include <array>

#include "kgm/commands_impl.h"
#include "kgm/object.h"
#include "kgm/walk.h"

namespace kdp::kgm::cmd {
namespace {

struct Cred {
  uint32_t euid = 0, ruid = 0, svuid = 0;
};

struct ProcInfo {
  uint64_t proc = 0;
  std::string name;
  int32_t pid = 0;
  uint64_t task = 0;
  int stat = 0;
  int32_t ppid = 0;
  std::optional<Cred> cred;
  uint32_t flags = 0;
};

constexpr std::array<std::string_view, 32> kFlagText = {
    "may hold advisory locks", "has a controlling tty", "process is 64 bit",
    "no SIGCHLD on child stop", "waiting for child exec/exit", "has started profiling",
    "in select; wakeup/waiting danger", "was stopped and continued",
    "has set privileges since exec", "system process: no signals, stats, or swap",
    "timing out during a sleep", "debugged process being traced",
    "debugging process has waited for child", "exit in progress", "process has called exec",
    "owe process an addupc() XXX", "affinity for Rosetta children", "wants to run Rosetta",
    "has wait() in progress", "kdebug tracing on for this process",
    "blocked due to SIGTTOU or SIGTTIN", "has called reboot()", "is TBE state",
    "signal exceptions", "has thread cwd", "has vfork() children", "not allowed to attach",
    "vfork() in progress", "no shared libraries", "force quota for root",
    "no zombies when children exit", "don't hang on remote FS ops"};

constexpr std::array<std::string_view, 6> kStateName = {"Idle", "Run", "Sleep", "Stop", "Zombie", "Reaping"};

std::string render_text(const ProcInfo& p) {
  std::string s = "Process " + showptr(p.proc) + "\n";
  s += "   name " + p.name + "\n";
  s += cformat("   pid:%.8d", p.pid) + "   task:" + showptr(p.task) + cformat("   p_stat:%.1d", p.stat);
  s += cformat("   parent pid:%.8d", p.ppid) + "\n";
  if (p.cred)
    s += cformat("Cred: euid %d ruid %d svuid %d\n", static_cast<int>(p.cred->euid),
                 static_cast<int>(p.cred->ruid), static_cast<int>(p.cred->svuid));
  else
    s += "Cred: (null)\n";
  s += cformat("Flags: 0x%08x\n", p.flags);
  for (unsigned bit = 0; bit < 32; ++bit) {
    uint32_t mask = uint32_t{1} << bit;
    if (p.flags & mask)
      s += cformat("    0x%08x - ", mask) + std::string(kFlagText[bit]) + "\n";
    else if (mask == 0x4)
      s += "   !0x00000004 - process is 32 bit\n";
  }
  bool known = p.stat >= 1 && p.stat <= 6;
  return s + "State: " + (known ? std::string(kStateName[p.stat - 1]) : "(Unknown)") + "\n";
}

void write_json(JsonWriter& j, const ProcInfo& p) {
  j.field("type", "proc").hex_field("proc", p.proc).field("name", p.name).field("pid", p.pid);
  j.hex_field("task", p.task).field("p_stat", p.stat).field("ppid", p.ppid).key("cred");
  if (p.cred)
    j.begin_object().field("euid", p.cred->euid).field("ruid", p.cred->ruid).field("svuid", p.cred->svuid).end_object();
  else
    j.null();
  j.field("flags", p.flags);
}

Expected<std::optional<Cred>> read_cred(const KernelContext& ctx, uint64_t ucred) {
  if (ucred == 0) return std::optional<Cred>();
  KDP_TRY(Object c, read_object(ctx.memory, ctx.types, "ucred", ucred,
                                {"cr_posix.cr_uid", "cr_posix.cr_ruid", "cr_posix.cr_svuid"}));
  Cred cred;
  KDP_TRY(uint64_t uid, c.u("cr_posix.cr_uid"));
  KDP_TRY(uint64_t ruid, c.u("cr_posix.cr_ruid"));
  KDP_TRY(uint64_t svuid, c.u("cr_posix.cr_svuid"));
  cred.euid = static_cast<uint32_t>(uid), cred.ruid = static_cast<uint32_t>(ruid);
  cred.svuid = static_cast<uint32_t>(svuid);
  return std::optional<Cred>(cred);
}

// Adds the proc's block and returns p_list.le_next (for the list walks).
Expected<uint64_t> add_proc_info(const KernelContext& ctx, Report& report, uint64_t address) {
  KDP_TRY(Object proc, read_object(ctx.memory, ctx.types, "proc", address,
                                   {"p_list", "p_pid", "task", "p_ppid", "p_stat", "p_ucred", "p_flag", "p_comm"}));
  ProcInfo p;
  p.proc = address;
  KDP_TRY(p.name, proc.str("p_comm"));
  KDP_TRY(int64_t pid, proc.i("p_pid"));
  KDP_TRY(p.task, proc.u("task"));
  KDP_TRY(int64_t stat, proc.i("p_stat"));
  KDP_TRY(int64_t ppid, proc.i("p_ppid"));
  KDP_TRY(uint64_t ucred, proc.u("p_ucred"));
  KDP_TRY(p.cred, read_cred(ctx, ucred));
  KDP_TRY(uint64_t flags, proc.u("p_flag"));
  p.pid = static_cast<int32_t>(pid), p.stat = static_cast<int>(stat), p.ppid = static_cast<int32_t>(ppid);
  p.flags = static_cast<uint32_t>(flags);
  report.add(p);
  return proc.u("p_list.le_next");
}

CommandResult proc_list(const KernelContext& ctx, std::string_view name) {
  Report report(name);
  auto run = [&]() -> Status {
    KDP_TRY(uint64_t head, ctx.global(name));
    KDP_TRY(uint64_t first, read_u64(ctx.memory, head, std::string(name) + ".lh_first"));
    return walk_list({std::string(name), first, 0},
                     [&](uint64_t proc) { return add_proc_info(ctx, report, proc); });
  };
  return std::move(report).finish(run());
}

}  // namespace

CommandResult showprocinfo(const KernelContext& ctx, Arg proc) {
  Report report("showprocinfo");
  auto next = add_proc_info(ctx, report, proc.value_or(0));
  return std::move(report).finish(next ? Status() : Status(std::move(next).error()));
}

CommandResult allproc(const KernelContext& ctx, Arg) { return proc_list(ctx, "allproc"); }
CommandResult zombproc(const KernelContext& ctx, Arg) { return proc_list(ctx, "zombproc"); }

}  // namespace kdp::kgm::cmd
