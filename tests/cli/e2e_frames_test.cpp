// gdb's frame and thread selection end to end: the real kdpctl offline over fixture worlds written
// by the test (--core, --kernel). Expected texts come from the world builder's record (the stopped
// CPU's frame chain, every thread's saved kernel registers and frames, the kernel's symbols) and
// gdb's documented forms (frame lines as bt prints them, `info frame`, `info threads`, its
// messages), never from kdpctl's renderers.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/cli/world_support.h"

using namespace kdp::cli::test;

namespace {

struct WorldRun {
  std::unique_ptr<WorldFiles> world;
  Kdpctl kdpctl;
  explicit WorldRun(uint64_t seed, size_t procs = 12) : world(make_world({.procs = procs, .seed = seed})) {}
  ProcessResult run(std::vector<std::string> args) const {
    const std::vector<std::string> files = {"--core", world->core(), "--kernel", world->kernel()};
    args.insert(args.begin(), files.begin(), files.end());
    return kdpctl.run(args);
  }
  const kdp::world::WorldModel& model() const { return world->model(); }
};

// gdb's "name+0xN" for an address, from the world's symbol table (the nearest symbol below it).
std::string symbol_at(const kdp::world::WorldModel& m, uint64_t address) {
  const kdp::world::SymbolModel* best = nullptr;
  for (const auto& g : m.globals)
    if (g.address <= address && (!best || g.address > best->address)) best = &g;
  REQUIRE(best);
  return address == best->address ? best->name : best->name + "+" + hex_of(address - best->address);
}

// bt's line for frame `level` of the stopped CPU's chain (the model's frames, innermost first).
std::string cpu_frame_line(const kdp::world::WorldModel& m, size_t level) {
  const auto& f = m.stopped_frames;
  const uint64_t pc = level == 0 ? m.registers.rip() : f[level - 1].return_address;
  const std::string symbol = level == 0 ? symbol_at(m, pc) : f[level - 1].symbol;
  return "#" + std::to_string(level) + std::string(level < 10 ? "  " : " ") + padded_hex_of(pc) + " in " + symbol + " ()\n";
}

}  // namespace

TEST_CASE("frame N, up, down: gdb's frame lines and messages; the selection drives regs, print and x") {
  if (!binaries_available()) return;
  WorldRun w(31);
  const auto& m = w.model();
  const auto& f = m.stopped_frames;
  REQUIRE(f.size() >= 4);
  CHECK(w.run({"frame"}).out == cpu_frame_line(m, 0));
  CHECK(w.run({"frame", "1"}).out == cpu_frame_line(m, 1));
  // Frame 1 runs with the caller's rbp, its rip is the return address, its rsp above the callee's frame.
  CHECK(w.run({"print/x", "$pc"}).out == "$1 = " + hex_of(f[0].return_address) + "\n");
  CHECK(w.run({"print/x", "$rbp"}).out == "$2 = " + hex_of(f[1].rbp) + "\n");
  CHECK(w.run({"print/x", "$sp"}).out == "$3 = " + hex_of(f[0].rbp + 16) + "\n");
  CHECK(w.run({"--json", "info", "registers", "rbp"}).out == "{\"rbp\":\"" + hex_of(f[1].rbp) + "\"}\n");
  CHECK(w.run({"info", "registers", "rbp"}).out.starts_with("rbp            " + hex_of(f[1].rbp) + " "));
  CHECK(w.run({"--json", "regs", "rip"}).out == "{\"rip\":\"" + hex_of(f[0].return_address) + "\"}\n");
  CHECK(w.run({"x/gx", "$sp"}).out.starts_with(hex_of(f[0].rbp + 16) + ":"));
  // bt still lists the whole stack from the innermost frame, as gdb's does.
  CHECK(w.run({"bt", "2"}).out == cpu_frame_line(m, 0) + cpu_frame_line(m, 1) + "(More stack frames follow...)\n");

  CHECK(w.run({"up"}).out == cpu_frame_line(m, 2));
  CHECK(w.run({"up", "1"}).out == cpu_frame_line(m, 3));
  CHECK(w.run({"down", "2"}).out == cpu_frame_line(m, 1));
  CHECK(w.run({"down"}).out == cpu_frame_line(m, 0));
  ProcessResult bottom = w.run({"down"});
  CHECK(bottom.exit_code != 0);
  CHECK(bottom.out.empty());
  CHECK(contains(bottom.err, "Bottom (innermost) frame selected; you cannot go down."));
  CHECK(w.run({"down", "5"}).out == cpu_frame_line(m, 0));  // with a count: as far as the stack goes

  const size_t outermost = f.size();  // the chain's frames plus the CPU's own
  CHECK(w.run({"up", "100"}).out == cpu_frame_line(m, outermost));
  ProcessResult top = w.run({"up"});
  CHECK(top.exit_code != 0);
  CHECK(contains(top.err, "Initial frame selected; you cannot go up."));
  ProcessResult none = w.run({"frame", "60"});
  CHECK(none.exit_code != 0);
  CHECK(contains(none.err, "No frame at level 60."));
  CHECK(w.run({"frame"}).out == cpu_frame_line(m, outermost));  // the failures left the selection alone
  CHECK(w.run({"--json", "frame", "2"}).out.starts_with("{\"level\":2,\"frame\":{\"pc\":\"" + hex_of(f[1].return_address) +
                                                        "\",\"frame_pointer\":\"" + hex_of(f[2].rbp) + "\""));
  CHECK(w.run({"f", "0"}).out == cpu_frame_line(m, 0));
}

TEST_CASE("info frame: gdb's description of the selected frame") {
  if (!binaries_available()) return;
  WorldRun w(32);
  const auto& m = w.model();
  const auto& f = m.stopped_frames;
  REQUIRE(f.size() >= 3);
  REQUIRE(w.run({"frame", "1"}).exit_code == 0);
  const std::string function = f[0].symbol.substr(0, f[0].symbol.find('+'));
  const uint64_t at = f[1].rbp + 16;
  CHECK(w.run({"info", "frame"}).out ==
        "Stack level 1, frame at " + hex_of(at) + ":\n"
        " rip = " + hex_of(f[0].return_address) + " in " + function + "; saved rip = " + hex_of(f[1].return_address) + "\n"
        " called by frame at " + hex_of(f[2].rbp + 16) + ", caller of frame at " + hex_of(f[0].rbp + 16) + "\n"
        " Arglist at " + hex_of(f[1].rbp) + ", args: \n"
        " Locals at " + hex_of(f[1].rbp) + ", Previous frame's sp is " + hex_of(at) + "\n"
        " Saved registers:\n"
        "  rbp at " + hex_of(f[1].rbp) + ", rip at " + hex_of(f[1].rbp + 8) + "\n");
  REQUIRE(w.run({"frame", "0"}).exit_code == 0);
  const std::string innermost = w.run({"info", "frame"}).out;
  CHECK(innermost.starts_with("Stack level 0, frame at " + hex_of(f[0].rbp + 16) + ":\n rip = " + hex_of(m.registers.rip()) +
                              " in Debugger; saved rip = " + hex_of(f[0].return_address) + "\n called by frame at " +
                              hex_of(f[1].rbp + 16) + "\n Arglist at "));
  CHECK(contains(w.run({"--json", "info", "frame"}).out, "\"saved_rip\":\"" + hex_of(f[0].return_address) + "\""));
}

TEST_CASE("info threads, thread N, switchtoact, showactstack: every thread of every task, its saved registers") {
  if (!binaries_available()) return;
  WorldRun w(33);
  const auto& m = w.model();
  // The expected table: tasks in queue order, each task's threads in its queue order, numbered from 1.
  struct Row {
    const kdp::world::ThreadModel* thread;
    std::string process;
  };
  std::vector<Row> rows;
  for (const auto& task : m.tasks) {
    const kdp::world::ProcModel* proc = m.proc_at(task.proc);
    for (uint64_t t : task.threads) rows.push_back({m.thread_at(t), proc ? proc->comm : std::string()});
  }
  REQUIRE(rows.size() > 4);
  std::vector<std::string> ids;
  size_t width = 9;
  for (const Row& r : rows) {
    ids.push_back("Thread " + hex_of(r.thread->address) + " (tid " + std::to_string(r.thread->thread_id) + ")" +
                  (r.process.empty() ? "" : " \"" + r.process + "\""));
    width = std::max(width, ids.back().size());
  }
  std::string expected = "  Id   Target Id" + std::string(width - 9, ' ') + " Frame \n";
  size_t stack_thread = 0, other_stack_thread = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const kdp::world::ThreadModel& t = *rows[i].thread;
    const bool stopped = t.address == m.stopped_thread;
    std::string frame;
    if (stopped)
      frame = padded_hex_of(m.registers.rip()) + " in " + symbol_at(m, m.registers.rip()) + " ()";
    else if (t.kernel_stack)
      frame = padded_hex_of(t.k_rip) + " in " + symbol_at(m, t.k_rip) + " ()";
    else
      frame = "continuation=" + hex_of(t.continuation) + " <" + t.continuation_symbol + ">";
    const std::string number = std::to_string(i + 1);
    expected += std::string(stopped ? "* " : "  ") + number + std::string(4 - number.size() + 1, ' ') + ids[i] +
                std::string(width - ids[i].size() + 1, ' ') + frame + "\n";
    if (stopped) stack_thread = i + 1;
    else if (t.kernel_stack && t.frames.size() >= 2 && !other_stack_thread) other_stack_thread = i + 1;
  }
  REQUIRE(stack_thread);
  REQUIRE(other_stack_thread);
  CHECK(w.run({"info", "threads"}).out == expected);
  CHECK(w.run({"thread"}).out == "[Current thread is " + std::to_string(stack_thread) + " (Thread " +
                                     hex_of(m.stopped_thread) + " (tid " +
                                     std::to_string(m.thread_at(m.stopped_thread)->thread_id) + "))]\n");

  const kdp::world::ThreadModel& other = *rows[other_stack_thread - 1].thread;
  const std::string n = std::to_string(other_stack_thread);
  const std::string frame0 = "#0  " + padded_hex_of(other.k_rip) + " in " + symbol_at(m, other.k_rip) + " ()\n";
  CHECK(w.run({"thread", n}).out == "[Switching to thread " + n + " (Thread " + hex_of(other.address) + " (tid " +
                                         std::to_string(other.thread_id) + "))]\n" + frame0);
  CHECK(w.run({"thread"}).out.starts_with("[Current thread is " + n + " "));
  CHECK(w.run({"info", "threads"}).out.find("\n* " + n + " ") != std::string::npos);
  // Its saved kernel registers now drive bt, regs and frame.
  std::string bt = frame0;
  for (size_t i = 0; i < other.frames.size(); ++i)
    bt += "#" + std::to_string(i + 1) + (i + 1 < 10 ? "  " : " ") + padded_hex_of(other.frames[i].return_address) + " in " + other.frames[i].symbol + " ()\n";
  CHECK(w.run({"bt"}).out == bt);
  CHECK(w.run({"print/x", "$pc"}).out.ends_with(" = " + hex_of(other.k_rip) + "\n"));
  CHECK(w.run({"print/x", "$rbp"}).out.ends_with(" = " + hex_of(other.k_rbp) + "\n"));
  CHECK(w.run({"frame", "1"}).out == "#1  " + padded_hex_of(other.frames[0].return_address) + " in " + other.frames[0].symbol + " ()\n");
  CHECK(w.run({"print/x", "$rbp"}).out.ends_with(" = " + hex_of(other.frames[1].rbp) + "\n"));

  // Back to the CPU's own thread: the CPU's registers.
  CHECK(w.run({"thread", std::to_string(stack_thread)}).out.ends_with(cpu_frame_line(m, 0)));
  CHECK(w.run({"print/x", "$pc"}).out.ends_with(" = " + hex_of(m.registers.rip()) + "\n"));

  // switchtoact ADDR: kgmacros' command, the same registers.
  CHECK(w.run({"switchtoact", hex_of(other.address)}).out == frame0);
  CHECK(w.run({"bt", "1"}).out.starts_with(frame0));
  CHECK(w.run({"x/i", "$pc"}).out.find(hex_of(other.k_rip)) != std::string::npos);
  const auto blocked = std::find_if(rows.begin(), rows.end(), [](const Row& r) { return r.thread->kernel_stack == 0; });
  if (blocked != rows.end()) {
    ProcessResult no_stack = w.run({"switchtoact", hex_of(blocked->thread->address)});
    CHECK(no_stack.exit_code != 0);
    CHECK(contains(no_stack.err, "This activation does not have a stack. continuation: " +
                                     hex_of(blocked->thread->continuation) + " <" + blocked->thread->continuation_symbol + ">"));
  }
  ProcessResult bad = w.run({"thread", std::to_string(rows.size() + 1)});
  CHECK(bad.exit_code != 0);
  CHECK(contains(bad.err, "Invalid thread ID: " + std::to_string(rows.size() + 1)));
  CHECK(contains(w.run({"--json", "info", "threads"}).out, "{\"id\":1,"));
}

TEST_CASE("showactstack ADDR: kgmacros' showactheader and showactint with the stack, byte for byte") {
  if (!binaries_available()) return;
  WorldRun w(34);
  const auto& m = w.model();
  // The thread running on the stopped CPU: a kernel_task thread with a uthread, running (R), no
  // I/O policy, not waiting, its frames all in the kernel.
  const kdp::world::ThreadModel* t = m.thread_at(m.stopped_thread);
  REQUIRE(t != nullptr);
  REQUIRE(t->kernel_stack != 0);
  REQUIRE(t->uthread != 0);
  REQUIRE(t->state == 4);
  REQUIRE(t->pth_name.empty());
  // kgmacros.md §3: showactheader, then showactint mode 1.
  const std::string pad = "        ";
  std::string expected = "          " + pad + "  thread    " + pad + "    thread_id " + pad + "  processor " + pad +
                         "   pri io_policy   state    wait_queue" + pad + "  wait_event\n";
  char pri[16];
  std::snprintf(pri, sizeof pri, "   %3d ", t->sched_pri);
  expected += "            " + pad + hex_of(t->address) + (t->workq ? "[WQ]" : "    ") + "  " + hex_of(t->thread_id) +
              "   " + hex_of(t->last_processor) + pri + "     " + "        " + "R";
  const std::string lead = "\n          " + pad + "      ";
  expected += "\n          " + lead + "kernel_stack=" + hex_of(t->kernel_stack) + lead + "stacktop=" + hex_of(t->k_rbp);
  for (const auto& f : t->frames) {
    const size_t plus = f.symbol.find('+');
    REQUIRE(plus != std::string::npos);
    expected += lead + hex_of(f.rbp) + "  " + hex_of(f.return_address) + " <" + f.symbol.substr(0, plus) + "+" +
                std::to_string(std::stoull(f.symbol.substr(plus + 3), nullptr, 16)) + ">";
  }
  expected += lead + "stackbottom=" + hex_of(t->frames.back().rbp) + "\n";
  CHECK(w.run({"showactstack", hex_of(t->address)}).out == expected);
}
