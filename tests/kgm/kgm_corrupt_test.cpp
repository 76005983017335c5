// Corrupted kernel memory: every walk ends, the command keeps what it rendered, and the result
// carries one line saying where and why it stopped.
#include <doctest/doctest.h>

#include "expected.h"
#include "kgm/commands.h"
#include "kgm/walk.h"
#include "world.h"

using namespace kgm_test;
using namespace kgm_test::addr;

namespace {

kdp::kgm::CommandResult run(World& w, std::string_view name, std::vector<std::string> args = {}) {
  const kdp::kgm::CommandSpec* c = kdp::kgm::find_command(name);
  REQUIRE(c != nullptr);
  return kdp::kgm::run_command(*c, w.context(), args);
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a cycle in allproc: three procs, then the stop line") {
  auto w = build_world();
  w->memory.u64(P2 + off::p_list, P4);  // Finder -> loginwindow -> kextd -> Finder
  auto r = run(*w, "allproc");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message() == "allproc: cycle at " + kdp::hex(P4) + " after 3 entries");
  CHECK(count(r.text, "Process 0x") == 3);
  CHECK(starts_with(r.text, "Process " + P(P4) + "\n"));
  CHECK(r.json.find("\"complete\":false") != std::string::npos);
}

TEST_CASE("a cycle in p_children: the tree stops at the proc seen twice") {
  auto w = build_world();
  w->memory.u32(P4 + off::p_childrencnt, 1);
  w->memory.u64(P4 + off::p_children, P3);  // Finder's "child" is its own parent
  auto r = run(*w, "showproctree");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message() == "proc tree: cycle at " + kdp::hex(P3) + " after 3 entries");
  CHECK(count(r.text, "loginwindow") == 1);
  CHECK(r.text.find("Finder") != std::string::npos);
}

TEST_CASE("a p_pptr loop while climbing ends too") {
  auto w = build_world();
  w->memory.u64(P2 + off::p_pptr, PZ);  // kextd and the zombie name each other as parent
  w->memory.u64(PZ + off::p_pptr, P2);
  auto r = run(*w, "showproctree");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message() == "proc tree: p_pptr: cycle at " + kdp::hex(P2) + " after 2 entries");
  CHECK(r.text.find("kextd") != std::string::npos);
}

TEST_CASE("a wild task pointer: rows before it, then the unreadable address") {
  auto w = build_world();
  w->memory.u64(T2 + off::task_tasks, 0xdeadbeef);
  auto r = run(*w, "showalltasks");
  REQUIRE_FALSE(r.ok());
  // The row reads from task.map (+0x20): the first byte that cannot be read.
  CHECK(r.error->message() == "tasks: cannot read task at 0xdeadbeef: Cannot access memory at address 0xdeadbf0f");
  CHECK(r.error->fault_address() == std::optional<uint64_t>(0xdeadbf0f));
  CHECK(count(r.text, "\n") == 4);  // header + kernel_task, launchd, kextd
  CHECK(r.json.find("\"fault_address\":\"0x00000000deadbf0f\"") != std::string::npos);
}

TEST_CASE("p_comm without a NUL prints its 17 bytes and nothing after") {
  auto w = build_world();
  w->memory.str(P2 + off::p_comm, std::string(17, 'A'), false);
  w->memory.str(P2 + off::p_comm + 17, "BBBB");  // p_name follows p_comm
  auto r = run(*w, "showalltasks");
  CHECK(r.ok());
  CHECK(r.text.find("  " + std::string(17, 'A') + "\n") != std::string::npos);
  CHECK(r.text.find("BBBB") == std::string::npos);
}

TEST_CASE("a truncated kmod list: the kexts read, then where it broke") {
  auto w = build_world();
  const uint64_t gone = 0xffffff7f80d00000;
  w->memory.u64(K2 + off::kmod_next, gone);
  auto r = run(*w, "showallkmods");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message() == "kmod: cannot read kmod_info at " + kdp::hex(gone) +
                                  ": Cannot access memory at address " + kdp::hex(gone));
  CHECK(count(r.text, "\n") == 3);
  CHECK(r.text.find("com.apple.iokit.IOACPIFamily\n") != std::string::npos);
}

TEST_CASE("a cycle in a task's thread queue stops showallstacks") {
  auto w = build_world();
  w->memory.u64(TH0b + 0x2d0, TH0a);  // task_threads.next (RELEASE)
  auto r = run(*w, "showallstacks");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message() == "tasks: task " + kdp::hex(T0) + " threads: cycle at " + kdp::hex(TH0a) + " after 2 entries");
  CHECK(count(r.text, P(TH0a)) == 1);
}

TEST_CASE("a kmod list that loops back is a cycle, also for kext names in stacks") {
  auto w = build_world();
  w->memory.u64(K2 + off::kmod_next, K1);
  auto r = run(*w, "showallkmods");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message() == "kmod: cycle at " + kdp::hex(K1) + " after 2 entries");
  auto missing = run(*w, "showkmodaddr", {kdp::hex(0xffffff7f80000000)});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error->message() == "kmod: cycle at " + kdp::hex(K1) + " after 2 entries");
}

TEST_CASE("a walk stops at its bound") {
  kdp::kgm::ListWalk walk{"long", 1, 0, 10};
  size_t visits = 0;
  auto status = kdp::kgm::walk_list(walk, [&](uint64_t a) -> kdp::Expected<uint64_t> {
    ++visits;
    return a + 1;  // an endless list without repeats
  });
  REQUIRE_FALSE(status);
  CHECK(status.error().message() == "long: stopped after 10 entries (the walk limit)");
  CHECK(visits == 10);
}

TEST_CASE("a debug_buf_ptr past the buffer prints the buffer and says so") {
  auto w = build_world();
  w->memory.u64(kDebugBufPtr, kDebugBuf + 0x100000);
  auto r = run(*w, "paniclog");
  REQUIRE_FALSE(r.ok());
  CHECK(starts_with(r.text, kPanicText));
  CHECK(r.error->message().find("past the end of debug_buf") != std::string::npos);
}

TEST_CASE("unreadable globals fail with the address, never a crash") {
  auto w = build_world();
  w->memory.unmap(kTasks);
  for (const auto& c : kdp::kgm::kgmacros_commands()) {
    std::vector<std::string> args;
    if (c.arg == kdp::kgm::ArgKind::kAddress) args.push_back("0x10");
    if (c.arg == kdp::kgm::ArgKind::kNumber) args.push_back("1");
    auto r = kdp::kgm::run_command(c, w->context(), args);
    if (c.arg == kdp::kgm::ArgKind::kAddress && c.name != "showkmodaddr") {
      REQUIRE_FALSE(r.ok());
      CHECK(r.error->fault_address().has_value());
    }
  }
  auto r = run(*w, "showalltasks");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message() == "cannot read tasks.next at " + kdp::hex(kTasks) +
                                  ": Cannot access memory at address " + kdp::hex(kTasks));
}
