// The kgmacros commands end to end over fixture worlds (tools/fixtures/world), as a user runs them:
// the real kdpctl offline (--core + --kernel) and live against the real kdp-sim serving the same
// world on 127.0.0.1, lossless and with loss, duplication and reordering. Every command must print
// the same bytes and exit the same way whichever way the memory came; showalltasks and
// showproctree must equal texts computed from the builder's record (world_support.h).
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/cli/world_support.h"

using namespace kdp;
using namespace kdp::cli::test;

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

std::vector<std::string> with(std::vector<std::string> front, const std::vector<std::string>& back) {
  front.insert(front.end(), back.begin(), back.end());
  return front;
}

std::string last_lines(const std::string& text, size_t n) {
  size_t at = text.size();
  for (size_t lines = 0; at > 0 && lines <= n; ) {
    --at;
    if (text[at] == '\n') ++lines;
  }
  return text.substr(at);
}

std::vector<Entry> run_offline(const WorldFiles& w, const std::vector<std::vector<std::string>>& lines) {
  Kdpctl kdpctl;
  std::vector<Entry> out;
  for (const auto& line : lines) {
    ProcessResult r = kdpctl.run(with({"--core", w.core(), "--kernel", w.kernel()}, line));
    CHECK_MESSAGE(!r.timed_out, joined(line));
    out.push_back({joined(line), r.exit_code, r.out});
  }
  return out;
}

// Runs every line live against a kdp-sim with `faults`; on a difference from `reference`, runs the
// command again with -v and shows the fault seed and the last packets.
void check_live(const WorldFiles& w, const std::vector<std::vector<std::string>>& lines,
                const std::vector<Entry>& reference, const std::vector<std::string>& faults) {
  Sim sim(sim_flags(w, faults));
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  ProcessResult attach = kdpctl.run({"--kernel", w.kernel(), "reattach", sim.target()});
  REQUIRE_MESSAGE(attach.exit_code == 0, "faults: ", joined(faults), "\n", attach.err);
  for (size_t i = 0; i < lines.size(); ++i) {
    ProcessResult r = kdpctl.run(with({"--kernel", w.kernel()}, lines[i]));
    Entry live{joined(lines[i]), r.exit_code, r.out};
    if (live == reference[i]) continue;
    ProcessResult verbose = kdpctl.run(with({"-v", "--kernel", w.kernel()}, lines[i]));
    FAIL_CHECK("live `" << live.command << "` differs from the core (faults: " << joined(faults)
               << "): exit " << live.exit_code << " vs " << reference[i].exit_code << "\nstderr: " << r.err
               << "\nlast packets of a -v rerun:\n" << last_lines(verbose.err, 30));
  }
}

void check_world(const world::WorldOptions& options, const std::vector<uint64_t>& lossy_seeds) {
  auto w = make_world(options);
  const auto lines = kgm_command_lines(w->model());
  const std::vector<Entry> offline = run_offline(*w, lines);
  for (const Entry& e : offline) {
    INFO(e.command);
    CHECK(e.exit_code == 0);  // an intact world: every command completes
    CHECK(!e.out.empty());
  }
  CHECK(offline[1].out == expected_showalltasks(w->model()));
  CHECK(offline[8].out == expected_showproctree(w->model(), 0));
  CHECK(offline[9].out == expected_showproctree(w->model(), 1));
  check_live(*w, lines, offline, {});
  for (uint64_t seed : lossy_seeds)
    check_live(*w, lines, offline, {"--loss", "0.2", "--dup", "0.1", "--reorder", "0.1", "--seed", std::to_string(seed)});
}

}  // namespace

TEST_CASE("every kgmacro prints the same live (lossless and lossy) and offline: 60 processes, RELEASE") {
  if (!binaries_available()) return;
  check_world({.procs = 60, .seed = 7}, {11, 12});
}

TEST_CASE("every kgmacro prints the same live (lossless and lossy) and offline: 400 processes, RELEASE") {
  if (!binaries_available()) return;
  check_world({.procs = 400, .seed = 3}, {21});
}

TEST_CASE("every kgmacro prints the same live (lossless and lossy) and offline: 60 processes, DEBUG") {
  if (!binaries_available()) return;
  check_world({.procs = 60, .seed = 5, .debug = true}, {31});
}

TEST_CASE("showalltasks and showproctree equal kgmacros' texts computed from the world's record") {
  if (!binaries_available()) return;
  for (uint64_t seed : {1, 2, 9}) {
    auto w = make_world({.procs = 10 + 37 * seed, .seed = seed});
    Kdpctl kdpctl;
    const std::vector<std::string> files = {"--core", w->core(), "--kernel", w->kernel()};
    INFO("seed " << seed);
    CHECK(kdpctl.run(with(files, {"showalltasks"})).out == expected_showalltasks(w->model()));
    CHECK(kdpctl.run(with(files, {"showproctree"})).out == expected_showproctree(w->model(), 0));
    CHECK(kdpctl.run(with(files, {"showproctree", "1"})).out == expected_showproctree(w->model(), 1));
  }
}

TEST_CASE("the kernel file alone has no process tree: showproctree says so (exit 1), not an empty tree") {
  if (!binaries_available()) return;
  auto w = make_world({.procs = 10, .seed = 3});
  Kdpctl kdpctl;
  ProcessResult tree = kdpctl.run({"--kernel", w->kernel(), "showproctree"});
  CHECK(tree.exit_code == 1);
  CHECK(contains(tree.err, "initproc is NULL: no process tree"));
  ProcessResult tasks = kdpctl.run({"--kernel", w->kernel(), "showalltasks"});
  CHECK(tasks.exit_code == 1);
  CHECK(contains(tasks.err, "no target is attached"));
}

TEST_CASE("showallstacks names a frame in a kext from the kmod list: <com.apple.X + 0xOFF>") {
  if (!binaries_available()) return;
  auto w = make_world({.procs = 40, .seed = 4});
  const kdp::world::WorldModel& m = w->model();
  const kdp::world::ThreadModel* t = m.thread_at(m.kext_frame_thread);
  REQUIRE(t != nullptr);
  REQUIRE(!t->frames.empty());
  const kdp::world::KmodModel& kext = m.kmods.back();  // the first loaded
  const kdp::world::Frame& outer = t->frames.back();
  // showactint's frame line: 10 spaces + showptrhdrpad + 6 spaces, P(rbp), two spaces, then
  // showkmodaddr: P(addr) " <%s + 0x%x>".
  char line[256];
  std::snprintf(line, sizeof line, "\n                        0x%016llx  0x%016llx <%s + 0x%x>\n",
                static_cast<unsigned long long>(outer.rbp), static_cast<unsigned long long>(kext.kext_address + 0x12a5),
                kext.name.c_str(), 0x12a5);
  Kdpctl kdpctl;
  ProcessResult stacks = kdpctl.run({"--core", w->core(), "--kernel", w->kernel(), "showallstacks"});
  CHECK(stacks.exit_code == 0);
  CHECK(contains(stacks.out, line));
}

TEST_CASE("showversion prints what KDP_KERNELVERSION answers (kgmacros: kdp-kernelversion), live and from the core") {
  if (!binaries_available()) return;
  auto w = make_world({.procs = 10, .seed = 6});
  const kdp::world::WorldModel& m = w->model();
  // kdp_init's text: `version` + "; UUID=" + kernel_uuid, in kdp_kernelversion_string.
  const std::string expected = m.version + "; UUID=" + m.uuid + "\n";
  Kdpctl kdpctl;
  ProcessResult core = kdpctl.run({"--core", w->core(), "--kernel", w->kernel(), "showversion"});
  CHECK(core.exit_code == 0);
  CHECK(core.out == expected);
  Sim sim(sim_flags(*w));
  REQUIRE(sim.ready());
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);
  ProcessResult live = kdpctl.run({"--kernel", w->kernel(), "showversion"});
  CHECK(live.exit_code == 0);
  CHECK(live.out == w->kernel_version() + "\n");  // the text kdp-sim answers KERNELVERSION with
  CHECK(live.out == expected);
  // The kernel file alone: kdp_init has not run, the buffer is empty; `version` is all there is.
  Kdpctl offline;
  CHECK(offline.run({"--kernel", w->kernel(), "showversion"}).out == m.version + "\n");
}
