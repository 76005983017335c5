// kdpctl info threads, thread [N], switchtoact ADDR: gdb's thread selection over the kernel's
// threads (every thread of every task, as kgmacros' showallstacks walks them, numbered from 1).
// A selected thread's registers are those its kernel stack saved when it blocked (kgmacros'
// switchtoact: struct x86_kernel_state over the stopped CPU's registers); bt, frame, info frame,
// regs, x and print then read them. The thread running on the stopped CPU (whose kernel stack
// holds the CPU's rsp) is the current one until another is selected. Kept in the state file until
// the kernel runs.
#include <algorithm>
#include <ostream>

#include "cli/backtrace_view.h"
#include "cli/command.h"
#include "cli/core/frame_json.h"
#include "cli/core/number.h"
#include "cli/frame_commands.h"
#include "cli/frame_selection.h"
#include "cli/kernel_context.h"
#include "kdp/base/bytes.h"
#include "kdp/base/json.h"
#include "kgm/commands.h"
#include "kgm/kexts.h"
#include "kgm/thread_list.h"
#include "kgm/thread_rows.h"

namespace kdp::cli {
namespace {

// gdb's target_pid_to_str for a kernel thread.
std::string thread_id_text(const kgm::KernelThread& t) {
  return "Thread " + hex(t.thread) + " (tid " + std::to_string(t.thread_id) + ")";
}

SelectedThread selected(const kgm::KernelThread& t, uint64_t number) {
  const kgm::SavedKernelState& s = *t.saved;
  return {t.thread, number, {s.rbx, s.rsp, s.rbp, s.r12, s.r13, s.r14, s.r15, s.rip}};
}

// What the threads commands read: the threads, the CPU's registers and the selection standing.
struct Threads {
  std::vector<kgm::KernelThread> all;
  wire::X86ThreadState64 cpu;
  std::optional<Selection> current;
  std::optional<size_t> current_index;  // into `all`
};

Status read_threads(TargetView& target, const State& state, const kgm::KernelContext& ctx, Threads& out) {
  KDP_TRY(out.all, kgm::list_kernel_threads(ctx));
  KDP_TRY(out.cpu, target.cpu_registers());
  out.current = current_selection(state.selection, out.cpu);
  for (size_t i = 0; i < out.all.size(); ++i) {
    const bool is_current = out.current && out.current->thread ? out.all[i].thread == out.current->thread->thread
                                                               : kgm::stack_holds(ctx, out.all[i], out.cpu.rsp());
    if (is_current) {
      out.current_index = i;
      break;
    }
  }
  return {};
}

// The Frame column: the thread's innermost frame as bt prints it, without "#0  ".
std::string frame_column(const kgm::KernelContext& ctx, const kgm::KernelThread& t, bool on_cpu, uint64_t cpu_rip) {
  if (!on_cpu && !t.saved) return "continuation=" + kgm::output_address(ctx, t.continuation) + "\n";
  const uint64_t pc = on_cpu ? cpu_rip : t.saved->rip;
  kgm::KernelAndKextSymbolizer symbols(ctx);
  kgm::Frame f{pc, 0, macho::format_address_symbol(&symbols, pc), std::nullopt};
  return kgm::render_frame(f, 0).substr(4);  // ends in '\n'
}

struct ThreadLine {
  bool current = false;
  size_t number = 0;
  std::string target_id;
  std::string frame;  // ends in '\n'
};

// gdb's table: "  Id   Target Id   Frame " then "* 1    Thread ... frame", columns as wide as their widest.
std::string threads_table(const std::vector<ThreadLine>& lines) {
  size_t id_width = 4, target_width = 9;
  for (const ThreadLine& l : lines) {
    id_width = std::max(id_width, std::to_string(l.number).size());
    target_width = std::max(target_width, l.target_id.size());
  }
  const auto pad = [](std::string s, size_t width) { return s + std::string(width - s.size(), ' '); };
  std::string out = "  " + pad("Id", id_width) + " " + pad("Target Id", target_width) + " Frame \n";
  for (const ThreadLine& l : lines)
    out += std::string(l.current ? "* " : "  ") + pad(std::to_string(l.number), id_width) + " " +
           pad(l.target_id, target_width) + " " + l.frame;
  return out;
}

Status info_threads_json(Invocation& inv, const Threads& threads) {
  JsonWriter j;
  j.begin_object().key("threads").begin_array();
  for (size_t i = 0; i < threads.all.size(); ++i) {
    const kgm::KernelThread& t = threads.all[i];
    j.begin_object().field("id", i + 1).field("current", threads.current_index == i).hex_field("thread", t.thread);
    j.field("thread_id", t.thread_id).hex_field("task", t.task).field("process", t.process);
    j.hex_field("kernel_stack", t.kernel_stack);
    if (t.saved) j.hex_field("saved_rip", t.saved->rip).hex_field("saved_rbp", t.saved->rbp).hex_field("saved_rsp", t.saved->rsp);
    else j.hex_field("continuation", t.continuation);
    j.end_object();
  }
  inv.out << j.end_array().end_object().str() << "\n";
  return {};
}

}  // namespace

Status info_threads(Invocation& inv) {
  KDP_TRY(State state, inv.load_state());
  Threads threads;
  std::vector<ThreadLine> lines;
  const TargetWork work = [&](TargetView& target) -> Status {
    KDP_TRY(auto kernel, KernelModel::open(target, "info threads", inv.global.types));
    const kgm::KernelContext& ctx = kernel->context();
    threads = Threads{};
    KDP_TRY_STATUS(read_threads(target, state, ctx, threads));
    lines.clear();
    for (size_t i = 0; i < threads.all.size(); ++i) {
      const kgm::KernelThread& t = threads.all[i];
      const bool on_cpu = kgm::stack_holds(ctx, t, threads.cpu.rsp());
      std::string id = thread_id_text(t) + (t.process.empty() ? "" : " \"" + t.process + "\"");
      lines.push_back({threads.current_index == i, i + 1, std::move(id), frame_column(ctx, t, on_cpu, threads.cpu.rip())});
    }
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  if (inv.global.json) return info_threads_json(inv, threads);
  inv.out << threads_table(lines);
  return {};
}

namespace {

// Switches to thread `t` (numbered `number`, 0 when chosen by address): the CPU's own thread
// drops the thread selection (its registers are the CPU's), another needs a kernel stack.
struct Switch {
  std::string announcement;  // gdb's "[Switching to thread N (...)]", empty for switchtoact
  std::optional<kgm::Frame> frame;
  Selection selection;
};

Expected<Switch> switch_to(TargetView& target, const Invocation& inv, const kgm::KernelContext& ctx,
                           const kgm::KernelThread& t, uint64_t number) {
  KDP_TRY(wire::X86ThreadState64 cpu, target.cpu_registers());
  Switch s;
  s.selection = selection_at(cpu, std::nullopt);
  if (!kgm::stack_holds(ctx, t, cpu.rsp())) {
    if (!t.saved)
      return usage_error("This activation does not have a stack. continuation: " + kgm::output_address(ctx, t.continuation));
    s.selection.thread = selected(t, number);
  }
  kgm::Backtrace bt = symbolic_backtrace(target, thread_registers(s.selection, cpu), inv.global.types, 1);
  if (bt.error) return std::move(*bt.error);
  if (!bt.frames.empty()) s.frame = bt.frames.front();
  return s;
}

Status print_switch(Invocation& inv, const Switch& s, const kgm::KernelThread& t, uint64_t number) {
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().key("id");
    number ? j.value(number) : j.null();
    j.hex_field("thread", t.thread).field("thread_id", t.thread_id).field("process", t.process).key("frame");
    if (s.frame) write_frame_json(j, *s.frame);
    else j.null();
    inv.out << j.end_object().str() << "\n";
  } else {
    inv.out << s.announcement;
    if (s.frame) inv.out << kgm::render_frame(*s.frame, 0);
  }
  return inv.update_state_after_output([&](State& now) -> Status {
    now.selection = s.selection;
    return {};
  });
}

Status run_thread(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 1, "[N]"));
  std::optional<uint64_t> wanted;
  if (!inv.args.empty()) {
    KDP_TRY(wanted, parse_u64(inv.args[0], "thread number"));
  }
  KDP_TRY(State state, inv.load_state());
  std::optional<kgm::KernelThread> thread;
  uint64_t number = 0;
  Switch s;
  const TargetWork work = [&](TargetView& target) -> Status {
    KDP_TRY(auto kernel, KernelModel::open(target, "thread", inv.global.types));
    Threads threads;
    KDP_TRY_STATUS(read_threads(target, state, kernel->context(), threads));
    if (!wanted) {
      if (!threads.current_index) return Error(ErrorKind::kNotFound, "No thread selected.");
      number = *threads.current_index + 1;
      thread = threads.all[*threads.current_index];
      return {};
    }
    if (*wanted == 0 || *wanted > threads.all.size())
      return usage_error("Invalid thread ID: " + inv.args[0]);
    number = *wanted;
    thread = threads.all[number - 1];
    KDP_TRY(s, switch_to(target, inv, kernel->context(), *thread, number));
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  if (!wanted) {
    if (inv.global.json)
      inv.out << JsonWriter().begin_object().field("id", number).hex_field("thread", thread->thread)
                     .field("thread_id", thread->thread_id).field("process", thread->process).end_object().str() << "\n";
    else
      inv.out << "[Current thread is " << number << " (" << thread_id_text(*thread) << ")]\n";
    return {};
  }
  s.announcement = "[Switching to thread " + std::to_string(number) + " (" + thread_id_text(*thread) + ")]\n";
  return print_switch(inv, s, *thread, number);
}

Status run_switchtoact(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(1, 1, "ADDR"));
  KDP_TRY(State state, inv.load_state());
  std::optional<kgm::KernelThread> thread;
  Switch s;
  const TargetWork work = [&](TargetView& target) -> Status {
    KDP_TRY(auto kernel, KernelModel::open(target, "switchtoact", inv.global.types));
    KDP_TRY(uint64_t address, resolve_address(inv.args[0], target.hooks));
    KDP_TRY(thread, kgm::read_kernel_thread(kernel->context(), address));
    KDP_TRY(s, switch_to(target, inv, kernel->context(), *thread, 0));
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  return print_switch(inv, s, *thread, 0);
}

const CommandSpec kThread{
    .name = "thread",
    .usage = "thread [N]",
    .summary = "select thread N of `info threads` (its saved kernel registers drive bt, frame, regs, x, print); "
               "with no N, name the selected one",
    .details = "Threads are every thread of every task, in the order showallstacks walks them. The thread\n"
               "running on the stopped CPU has the CPU's registers; any other, those its kernel stack saved\n"
               "when it blocked (struct x86_kernel_state), as kgmacros' switchtoact loads them. The selection\n"
               "lasts until the kernel runs (continue, step).",
    .run = run_thread,
};

const CommandSpec kSwitchtoact{
    .name = "switchtoact",
    .usage = "switchtoact ADDR",
    .summary = "select the thread at ADDR (struct thread *), as kgmacros' switchtoact: its saved kernel registers",
    .run = run_switchtoact,
    .group = kgm::kCommandGroupTitle,
};

}  // namespace

const CommandSpec& thread_command() { return kThread; }
const CommandSpec& switchtoact_command() { return kSwitchtoact; }
}  // namespace kdp::cli
