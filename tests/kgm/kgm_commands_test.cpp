// Every kgmacros command over the hand-built world (tests/kgm/world.cpp), compared byte for byte
// with output composed here from the kgmacros format strings.
#include <doctest/doctest.h>

#include "expected.h"
#include "kgm/commands.h"
#include "world.h"

using namespace kgm_test;
using namespace kgm_test::addr;

namespace {

unsigned long long ull(uint64_t v) { return v; }

kdp::kgm::CommandResult run(World& w, std::string_view name, std::vector<std::string> args = {}) {
  const kdp::kgm::CommandSpec* c = kdp::kgm::find_command(name);
  REQUIRE(c != nullptr);
  return kdp::kgm::run_command(*c, w.context(), args);
}

std::string all_task_rows() {
  return task_row(T0, 0, 2, 0, P0, false, kNoPolicy, kNoWq, "kernel_task") +
         task_row(T1, 1, 1, 1, P1, true, "THROT   ", f("  %2d %2d %2d ", 2, 1, 0), "launchd") +
         task_row(T2, 2, 3, 10, P2, false, "PASS    ", kNoWq, "kextd") +
         task_row(T3, 3, 4, 12, P3, false, "EBG_THRT", kNoWq, "loginwindow") +
         task_row(T4, 4, 5, 41, P4, false, "BG_THRT ", kNoWq, "Finder") + null_proc_task_row(T5, 5, 0);
}

std::string procinfo(unsigned long long proc, const char* name, int pid, unsigned long long task, int stat, int ppid,
                     const std::string& cred, const std::string& flag_lines, const char* state) {
  return "Process " + P(proc) + "\n" + f("   name %s\n", name) + f("   pid:%.8d", pid) + "   task:" + P(task) +
         f("   p_stat:%.1d", stat) + f("   parent pid:%.8d", ppid) + "\n" + cred + flag_lines +
         f("State: %s\n", state);
}

const std::string kFlag1 = "    0x00000001 - may hold advisory locks\n";
const std::string kFlag4 = "    0x00000004 - process is 64 bit\n";
const std::string kNotFlag4 = "   !0x00000004 - process is 32 bit\n";
const std::string kFlag200 = "    0x00000200 - system process: no signals, stats, or swap\n";
const std::string kFlag2000 = "    0x00002000 - exit in progress\n";
const std::string kFlag4000 = "    0x00004000 - process has called exec\n";

std::string allproc_text() {
  std::string root_cred = f("Cred: euid %d ruid %d svuid %d\n", 0, 0, 0);
  std::string user_cred = f("Cred: euid %d ruid %d svuid %d\n", 501, 502, 503);
  return procinfo(P4, "Finder", 41, T4, 3, 12, user_cred, f("Flags: 0x%08x\n", 0x4000) + kNotFlag4 + kFlag4000, "Sleep") +
         procinfo(P3, "loginwindow", 12, T3, 3, 1, user_cred,
                  f("Flags: 0x%08x\n", 0x4005) + kFlag1 + kFlag4 + kFlag4000, "Sleep") +
         procinfo(P2, "kextd", 10, T2, 2, 1, root_cred, f("Flags: 0x%08x\n", 0x4004) + kFlag4 + kFlag4000, "Run") +
         procinfo(P1, "launchd", 1, T1, 2, 0, root_cred, f("Flags: 0x%08x\n", 0x4004) + kFlag4 + kFlag4000, "Run") +
         procinfo(P0, "kernel_task", 0, T0, 2, 0, "Cred: (null)\n", f("Flags: 0x%08x\n", 0x204) + kFlag4 + kFlag200,
                  "Run");
}

const std::string kTreeHeader = "PID   PROCESS       POINTER]\n===   =======       =======\n";

std::string stack_line(const std::string& what) { return "\n          " + pad + "      " + what; }

// showactint: the row up to (not including) the stack part.
std::string thread_th0a() {
  return "            " + pad + P(TH0a) + "    " + f("  0x%llx   ", 0x65ull) + P(CPU0) + f("   %3d ", 80) + "W" +
         "\t    " + P(kWaitQueue0) + "  " + "0xffffff8000840008 <vm_page_free_wanted+8>";
}
std::string thread_th0b() {
  return "            " + pad + P(TH0b) + "    " + f("  0x%llx   ", 0x66ull) + P(CPU1) + f("   %3d ", 0) + "R";
}
std::string thread_th1(const std::string& wait_event) {
  return "            " + pad + P(TH1) + "[WQ]" + f("  0x%llx   ", 0x1f4ull) + P(CPU0) + f("   %3d ", 31) + "RAGE " +
         "THROT   " + "W" + "\t    " + P(kWaitQueue1) + "  " + wait_event + f("\t \"%s\"", "select") +
         f("\n\t\tThread Name: %s", "worker");
}
std::string stack_th0a() {
  return stack_line("reserved_stack=" + P(kReserved0)) + stack_line("kernel_stack=" + P(KS0)) +
         stack_line("stacktop=" + P(KS0 + 0x3f00)) +
         stack_line(P(KS0 + 0x3f00) + "  " + "0xffffff800022ca1a <thread_block_reason+26>") +
         stack_line("stackbottom=" + P(KS0 + 0x3f00)) + "\n";
}
std::string stack_th1() {
  return "\n          " + stack_line("kernel_stack=" + P(KS1)) + stack_line("stacktop=" + P(KS1 + 0x3e00)) +
         stack_line(P(KS1 + 0x3e00) + "  " + "0xffffff800022ca1a <thread_block_reason+26>") +
         stack_line(P(KS1 + 0x3f00) + "  " + P(K1Text + 0x1f0) + f(" <%s + 0x%x>", "com.apple.driver.AppleACPIPlatform", 0x1f0)) +
         stack_line("stackbottom=" + P(KS1 + 0x3f00)) + "\n";
}

}  // namespace

std::string expected_allstacks() {
  std::string s = kTaskHeader + task_row(T0, 0, 2, 0, P0, false, kNoPolicy, kNoWq, "kernel_task");
  s += kThreadHeader + thread_th0a() + stack_th0a();
  s += kThreadHeader + thread_th0b() + stack_line("continuation=0xffffff800022e000 <thread_continue>") + "\n";
  s += "\n";
  s += kTaskHeader + task_row(T1, 1, 1, 1, P1, true, "THROT   ", f("  %2d %2d %2d ", 2, 1, 0), "launchd");
  s += kThreadHeader + thread_th1("0xffffff8007100000") + stack_th1() + "\n";
  s += kTaskHeader + task_row(T2, 2, 3, 10, P2, false, "PASS    ", kNoWq, "kextd") + "\n";
  s += kTaskHeader + task_row(T3, 3, 4, 12, P3, false, "EBG_THRT", kNoWq, "loginwindow") + "\n";
  s += kTaskHeader + task_row(T4, 4, 5, 41, P4, false, "BG_THRT ", kNoWq, "Finder") + "\n";
  s += kTaskHeader + null_proc_task_row(T5, 5, 0) + "\n";
  s += "\nZombie Processes:\n";
  s += kTaskHeader + null_proc_task_row(T5, 5, 0);  // zombstacks: "exiting" (p_stat 2) -> showtaskstacks T5
  return s;
}

std::string expected_currentthreads() {
  return "Processor " + P(CPU0) + f(" State %d (cpu_id 0x%x)\n", 6, 0) + kTaskHeader +
         task_row(T1, 1, 1, 1, P1, true, "THROT   ", f("  %2d %2d %2d ", 2, 1, 0), "launchd") + kThreadHeader +
         thread_th1(P(kHeapEvent)) + "\n" + "\n" + "Processor " + P(CPU1) + f(" State %d (cpu_id 0x%x)\n", 4, 1);
}

std::string expected_zprint() {
  return kZoneHeader + P(Z1) + f("  %8d ", 100) + f("%8x ", 0x6000) + f("%8x ", 0x80000) + f("%8d ", 224) +
         f("%8x ", 0x1000) + f(" %16ld ", 150L) + f("%16ld ", 50L) + "vm objects " + "CX" + "\n" + P(Z2) +
         f("  %8d ", 7) + f("%8x ", 0x1000) + f("%8x ", 0x4000) + f("%8d ", 16) + f("%8x ", 0x1000) +
         f(" %16ld ", 1234567L) + f("%16ld ", 1234560L) + "kalloc.16 " + "H$" + "\n" + "\n";
}

TEST_CASE("showversion prints the version string") {
  auto w = build_world();
  auto r = run(*w, "showversion");
  CHECK(r.ok());
  CHECK(r.text == kReleaseVersion + "\n");
}

TEST_CASE("showbootargs and paniclog") {
  auto w = build_world();
  auto boot = run(*w, "showbootargs");
  CHECK(boot.ok());
  CHECK(boot.text == "-v debug=0x144\n");
  auto panic = run(*w, "paniclog");
  CHECK(panic.ok());
  CHECK(panic.text == kPanicText);
}

TEST_CASE("showalltasks lists every task in queue order, with the *0* row for a task without proc") {
  auto w = build_world();
  auto r = run(*w, "showalltasks");
  CHECK(r.ok());
  CHECK(r.text == kTaskHeader + all_task_rows());
}

TEST_CASE("showtask, showpid, showproc") {
  auto w = build_world();
  auto task = run(*w, "showtask", {kdp::hex(T1)});
  CHECK(task.ok());
  CHECK(task.text == kTaskHeader + task_row(T1, 1, 1, 1, P1, true, "THROT   ", f("  %2d %2d %2d ", 2, 1, 0), "launchd"));
  auto pid = run(*w, "showpid", {"12"});
  CHECK(pid.ok());
  CHECK(pid.text == kTaskHeader + task_row(T3, 3, 4, 12, P3, false, "EBG_THRT", kNoWq, "loginwindow"));
  // kgmacros printed the bare header and nothing else; an empty answer must say so.
  auto missing = run(*w, "showpid", {"4242"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error->kind() == kdp::ErrorKind::kNotFound);
  CHECK(missing.error->message() == "showpid: no process with pid 4242");
  CHECK(missing.text == kTaskHeader);
  auto proc = run(*w, "showproc", {kdp::hex(P4)});
  CHECK(proc.ok());
  CHECK(proc.text == kTaskHeader + task_row(T4, 4, 5, 41, P4, false, "BG_THRT ", kNoWq, "Finder"));
}

TEST_CASE("showprocinfo, allproc, zombproc") {
  auto w = build_world();
  auto one = run(*w, "showprocinfo", {kdp::hex(P3)});
  CHECK(one.ok());
  CHECK(one.text == procinfo(P3, "loginwindow", 12, T3, 3, 1, f("Cred: euid %d ruid %d svuid %d\n", 501, 502, 503),
                             f("Flags: 0x%08x\n", 0x4005) + kFlag1 + kFlag4 + kFlag4000, "Sleep"));
  auto all = run(*w, "allproc");
  CHECK(all.ok());
  CHECK(all.text == allproc_text());
  auto zombies = run(*w, "zombproc");
  CHECK(zombies.ok());
  CHECK(zombies.text ==
        procinfo(PX, "exiting", 78, T5, 2, 1, "Cred: (null)\n", f("Flags: 0x%08x\n", 0x2004) + kFlag4 + kFlag2000, "Run") +
            procinfo(PZ, "zombie", 77, 0, 5, 1, "Cred: (null)\n", f("Flags: 0x%08x\n", 0x2004) + kFlag4 + kFlag2000, "Zombie"));
}

TEST_CASE("showproctree: the whole tree from initproc") {
  auto w = build_world();
  auto r = run(*w, "showproctree");
  CHECK(r.ok());
  CHECK(r.text == kTreeHeader + f("%d    %s      [ 0x%llx ]\n", 0, "kernel_task", ull(P1)) +
                      f("|--%d    %s      [ 0x%llx ]\n", 1, "launchd", ull(P1)) +
                      "|  " + f("|--%d    %s      [ 0x%llx ] \n", 12, "loginwindow", ull(P3)) +
                      "|  |  " + f("|--%d    %s      [ 0x%llx ] \n", 41, "Finder", ull(P4)) +
                      "|  " + f("|--%d    %s    [ 0x%llx ]\n", 10, "kextd", ull(P2)) + "\n");
}

TEST_CASE("showproctree PID: descendants, no children, unknown pid") {
  auto w = build_world();
  auto r = run(*w, "showproctree", {"1"});
  CHECK(r.ok());
  // kgmacros' quirk: kextd (loginwindow's sibling) is printed one level in, after the climb.
  CHECK(r.text == kTreeHeader + f("%d    %s      [ 0x%llx ]\n", 1, "launchd", ull(P3)) +
                      f("|--%d    %s      [ 0x%llx ]\n", 12, "loginwindow", ull(P3)) +
                      "|  " + f("|--%d    %s      [ 0x%llx ] \n", 41, "Finder", ull(P4)) +
                      "|  " + f("|--%d    %s    [ 0x%llx ]\n", 10, "kextd", ull(P2)) + "\n");
  auto leaf = run(*w, "showproctree", {"10"});
  CHECK(leaf.ok());
  CHECK(leaf.text == f("No children present for PID=%d", 10) + "\n");
  auto unknown = run(*w, "showproctree", {"4242"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error->kind() == kdp::ErrorKind::kNotFound);
  CHECK(unknown.error->message() == "showproctree: no process with pid 4242");
  CHECK(unknown.text.empty());
}

TEST_CASE("showproctree --json: the root record carries the proc it names, not kgmacros' printed pointer") {
  auto w = build_world();
  auto r = run(*w, "showproctree");
  REQUIRE(r.ok());
  // The text keeps kgmacros' quirk: the kernel_task line shows launchd's proc (P1).
  CHECK(r.text.starts_with(kTreeHeader + f("%d    %s      [ 0x%llx ]\n", 0, "kernel_task", ull(P1))));
  // The data names kernel_task's own proc: launchd's p_pptr, kernproc (P0).
  CHECK(r.json.find(f("{\"type\":\"tree\",\"kind\":\"root\",\"depth\":0,\"pid\":0,\"command\":\"kernel_task\","
                      "\"proc\":\"0x%llx\"}", ull(P0))) != std::string::npos);
  CHECK(r.json.find(f("\"kind\":\"start\",\"depth\":0,\"pid\":1,\"command\":\"launchd\",\"proc\":\"0x%llx\"",
                      ull(P1))) != std::string::npos);
}

TEST_CASE("showallkmods and showkmodaddr") {
  auto w = build_world();
  auto all = run(*w, "showallkmods");
  CHECK(all.ok());
  CHECK(all.text == kKmodHeader + P(K1) + "  " + P(K1Text) + "  " + P(0x40000) + "  " + f("%3d  ", 12) +
                        f("%5d  ", 3) + f("%10s  ", "1.4") + "com.apple.driver.AppleACPIPlatform\n" + P(K2) + "  " +
                        P(K2Text) + "  " + P(0x5000) + "  " + f("%3d  ", 11) + f("%5d  ", 8) + f("%10s  ", "1.4.0") +
                        "com.apple.iokit.IOACPIFamily\n");
  auto in_k2 = run(*w, "showkmodaddr", {kdp::hex(K2Text + 0x10)});
  CHECK(in_k2.ok());
  CHECK(in_k2.text == P(K2Text + 0x10) + f(" <%s + 0x%x>", "com.apple.iokit.IOACPIFamily", 0x10));
  auto kernel = run(*w, "showkmodaddr", {kdp::hex(kThreadBlockReason)});
  CHECK(kernel.text == P(kThreadBlockReason));
  auto nowhere = run(*w, "showkmodaddr", {kdp::hex(K2Text + 0x5000)});
  CHECK(nowhere.text == P(K2Text + 0x5000));
}

TEST_CASE("showallstacks: tasks, threads, stacks, then the zombie tail") {
  auto w = build_world();
  auto r = run(*w, "showallstacks");
  CHECK(r.ok());
  CHECK(r.text == expected_allstacks());
}

TEST_CASE("showcurrentthreads: each processor and its active thread") {
  auto w = build_world();
  auto r = run(*w, "showcurrentthreads");
  CHECK(r.ok());
  CHECK(r.text == expected_currentthreads());
}

TEST_CASE("zprint") {
  auto w = build_world();
  auto r = run(*w, "zprint");
  CHECK(r.ok());
  CHECK(r.text == expected_zprint());
}
