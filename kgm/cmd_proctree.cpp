// showproctree [pid] (kgmacros.md §3, new in xnu-1699): kgmacros' iterative walk over p_children /
// p_sibling / p_pptr, reproduced step for step (including its quirks: the root line shows the start
// proc's pointer, the indent never drops below one level while climbing). Every proc is printed at
// most once and every climb is bounded, so corrupted links end the walk with one line.
#include <map>

#include "kgm/commands_impl.h"
#include "kgm/object.h"
#include "kgm/walk.h"

namespace kdp::kgm::cmd {
namespace {

enum class LineKind { kRoot, kStart, kChild, kSibling };

struct TreeLine {
  LineKind kind = LineKind::kRoot;
  uint64_t indent = 0;  // kgmacros' x: 3 per level
  int32_t pid = 0;
  std::string command;
  uint64_t pointer = 0;  // the proc the line names
  // What kgmacros prints for it: the root line names the start proc's parent but shows the start
  // proc's pointer. JSON carries `pointer`.
  uint64_t shown_pointer = 0;
};

std::string render_text(const TreeLine& l) {
  std::string bars;
  for (uint64_t x = l.indent; x >= 3; x -= 3) bars += "|  ";
  auto p = static_cast<unsigned long long>(l.shown_pointer);
  const char* c = l.command.c_str();
  switch (l.kind) {
    case LineKind::kRoot: return cformat("%d    %s      [ 0x%llx ]\n", l.pid, c, p);
    case LineKind::kStart: return cformat("|--%d    %s      [ 0x%llx ]\n", l.pid, c, p);
    case LineKind::kChild: return bars + cformat("|--%d    %s      [ 0x%llx ] \n", l.pid, c, p);
    case LineKind::kSibling: return bars + cformat("|--%d    %s    [ 0x%llx ]\n", l.pid, c, p);
  }
  return "";
}

void write_json(JsonWriter& j, const TreeLine& l) {
  static constexpr const char* kKinds[] = {"root", "start", "child", "sibling"};
  j.field("type", "tree").field("kind", kKinds[static_cast<int>(l.kind)]).field("depth", l.indent / 3);
  j.field("pid", l.pid).field("command", l.command).hex_field("proc", l.pointer);
}

struct TreeProc {
  int32_t pid = 0, ppid = 0, children = 0;
  uint64_t pptr = 0, sibling = 0, first_child = 0, next = 0;
  std::string command;
};

// Each proc is read once; the cache is bounded like every walk.
class TreeReader {
 public:
  explicit TreeReader(const KernelContext& ctx) : ctx_(ctx) {}
  Expected<TreeProc> get(uint64_t address) {
    if (auto it = cache_.find(address); it != cache_.end()) return it->second;
    if (cache_.size() >= kDefaultWalkLimit)
      return Error(ErrorKind::kMalformed, "proc tree: more than " + std::to_string(kDefaultWalkLimit) + " procs");
    KDP_TRY(Object o, read_object(ctx_.memory, ctx_.types, "proc", address,
                                  {"p_list", "p_pid", "p_pptr", "p_ppid", "p_sibling", "p_children",
                                   "p_childrencnt", "p_comm"}));
    TreeProc p;
    KDP_TRY(int64_t pid, o.i("p_pid"));
    KDP_TRY(int64_t ppid, o.i("p_ppid"));
    KDP_TRY(int64_t children, o.i("p_childrencnt"));
    p.pid = static_cast<int32_t>(pid), p.ppid = static_cast<int32_t>(ppid);
    p.children = static_cast<int32_t>(children);
    KDP_TRY(p.pptr, o.u("p_pptr"));
    KDP_TRY(p.sibling, o.u("p_sibling.le_next"));
    KDP_TRY(p.first_child, o.u("p_children.lh_first"));
    KDP_TRY(p.next, o.u("p_list.le_next"));
    KDP_TRY(p.command, o.str("p_comm"));
    return cache_.emplace(address, std::move(p)).first->second;
  }

 private:
  const KernelContext& ctx_;
  std::map<uint64_t, TreeProc> cache_;
};

struct Start {
  uint64_t head = 0;       // first proc to print below the root line (0: print nothing)
  uint64_t stop_node = 0;  // the pid's proc: climbing back to it ends the walk
};

Expected<Start> find_start(const KernelContext& ctx, TreeReader& procs, Report& report, int32_t pid) {
  if (pid == 0) {
    KDP_TRY(uint64_t initproc, ctx.global("initproc"));
    KDP_TRY(uint64_t head, read_u64(ctx.memory, initproc, "initproc"));
    // kgmacros prints nothing for a NULL initproc; say why rather than succeed with an empty tree.
    if (head == 0)
      return Error(ErrorKind::kMalformed,
                   "initproc is NULL: no process tree (a kernel that has not started launchd, or the "
                   "kernel file's own bytes, read without a target or a core)");
    return Start{head, 0};
  }
  if (pid < 0) return Start{};  // kgmacros only searches for pid > 0
  KDP_TRY(uint64_t allproc, ctx.global("allproc"));
  KDP_TRY(uint64_t first, read_u64(ctx.memory, allproc, "allproc.lh_first"));
  Start start;
  bool found = false;
  KDP_TRY_STATUS(walk_list({"allproc", first, 0}, [&](uint64_t address) -> Expected<uint64_t> {
    KDP_TRY(TreeProc p, procs.get(address));
    if (p.pid != pid) return p.next;
    found = true;
    start.stop_node = address;
    if (p.children > 0)
      start.head = p.first_child;
    else
      report.text(cformat("No children present for PID=%d", pid));
    return uint64_t{0};
  }));
  // kgmacros printed nothing here; an empty answer would read as "no children".
  if (!found) return Error(ErrorKind::kNotFound, "showproctree: no process with pid " + std::to_string(pid));
  return start;
}

class TreeWalk {
 public:
  TreeWalk(TreeReader& procs, Report& report) : procs_(procs), report_(report) {}

  Status print(LineKind kind, uint64_t address) {
    KDP_TRY_STATUS(printed_.visit(address));
    climbed_ = WalkGuard("proc tree: p_pptr");
    KDP_TRY(TreeProc p, procs_.get(address));
    report_.add(TreeLine{kind, x_, p.pid, p.command, address, address});
    return {};
  }

  // The loop of showproctreeint; h is the proc just printed.
  Status run(uint64_t h, uint64_t stop_node) {
    bool rev = false;
    while (h != 0) {
      KDP_TRY(TreeProc p, procs_.get(h));
      if (p.children != 0 && !rev) {
        h = p.first_child;
        x_ += 3;
        KDP_TRY_STATUS(print(LineKind::kChild, h));
        continue;
      }
      if (p.sibling == 0) {
        if (h == p.pptr) return {};  // kernproc is its own parent: the top
        KDP_TRY_STATUS(climbed_.visit(h));
        h = p.pptr;
        if (h == stop_node) return {};
        if (x_ > 3) x_ -= 3;
        rev = true;
        KDP_TRY(p, procs_.get(h));
      }
      if (p.sibling != 0) {
        rev = false;
        h = p.sibling;
        KDP_TRY_STATUS(print(LineKind::kSibling, h));
      }
    }
    return {};
  }

 private:
  TreeReader& procs_;
  Report& report_;
  WalkGuard printed_{"proc tree"};
  WalkGuard climbed_{"proc tree: p_pptr"};
  uint64_t x_ = 0;
};

Status show_tree(const KernelContext& ctx, Report& report, int32_t pid) {
  TreeReader procs(ctx);
  KDP_TRY(Start start, find_start(ctx, procs, report, pid));
  if (start.head == 0) return {};
  report.text("PID   PROCESS       POINTER]\n===   =======       =======\n");
  KDP_TRY(TreeProc head, procs.get(start.head));
  KDP_TRY(TreeProc parent, procs.get(head.pptr));
  report.add(TreeLine{LineKind::kRoot, 0, head.ppid, parent.command, head.pptr, start.head});
  TreeWalk walk(procs, report);
  KDP_TRY_STATUS(walk.print(LineKind::kStart, start.head));
  return walk.run(start.head, start.stop_node);
}

}  // namespace

CommandResult showproctree(const KernelContext& ctx, Arg pid) {
  Report report("showproctree");
  Status status = show_tree(ctx, report, static_cast<int32_t>(pid.value_or(0)));
  if (status) report.text("\n");
  return std::move(report).finish(std::move(status));
}

}  // namespace kdp::kgm::cmd
