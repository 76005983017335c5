// The seed user's session, command by command, against a fixture world served by kdp-sim, and the
// kgmacros over corrupted worlds through the CLI. Expected lines are written here from gdb's and
// kgmacros' formats and from the world builder's record, never from kdpctl's renderers.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "tests/cli/world_support.h"

using namespace kdp;
using namespace kdp::cli::test;

namespace {

std::vector<std::string> with(std::vector<std::string> front, const std::vector<std::string>& back) {
  front.insert(front.end(), back.begin(), back.end());
  return front;
}

uint64_t global(const world::WorldModel& m, const std::string& name) {
  for (const world::SymbolModel& g : m.globals)
    if (g.name == name) return g.address;
  FAIL("the world has no symbol " << name);
  return 0;
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

size_t lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

size_t index_of(const std::vector<uint64_t>& list, uint64_t value) {
  return static_cast<size_t>(std::find(list.begin(), list.end(), value) - list.begin());
}

// The command each corruption is about.
std::vector<std::string> focus_command(const world::CorruptionModel& c) {
  switch (c.kind) {
    case world::Corruption::kChildrenCycle: return {"showproctree"};
    case world::Corruption::kUnmappedTask: return {"showproc", hex(c.object)};
    case world::Corruption::kKmodTruncated: return {"showallkmods"};
    default: return {"allproc"};
  }
}

// The same command live, against kdp-sim serving the corrupted world: the same bytes, exit code
// and stop line as offline.
void check_live_same(const WorldFiles& w, const std::vector<std::string>& line, const ProcessResult& offline) {
  Sim sim(sim_flags(w));
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);
  ProcessResult live = run_process(kdpctl.argv(with({"--kernel", w.kernel()}, line)), {}, std::chrono::seconds(60));
  CHECK(!live.timed_out);
  CHECK(live.exit_code == offline.exit_code);
  CHECK(live.out == offline.out);
  CHECK(live.err == offline.err);
}

}  // namespace

TEST_CASE("the seed's session against a fixture world: x/x, x/s, showalltasks, showproctree, break, continue, bt, print") {
  if (!binaries_available()) return;
  auto w = make_world({.procs = 40, .seed = 1});
  const world::WorldModel& m = w->model();
  const uint64_t kext_alloc = global(m, "kext_alloc");
  // After a resume the simulated CPU runs into kext_alloc, where the breakpoint stops it.
  Sim sim(sim_flags(*w, {"--script", hex(kext_alloc)}));
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);

  // gdb's x: "ADDR:\tVALUE"; unit w by default; x/s quotes the string.
  CHECK(kdpctl.run({"x/x", "0xffffff8000200000"}).out == "0xffffff8000200000:\t0xfeedfacf\n");
  CHECK(kdpctl.run({"x/s", "0xffffff8000002000"}).out == "0xffffff8000002000:\t\"Catfish \"\n");

  const std::vector<std::string> kernel = {"--kernel", w->kernel()};
  ProcessResult tasks = kdpctl.run(with(kernel, {"showalltasks"}));
  CHECK(tasks.exit_code == 0);
  CHECK(tasks.out == expected_showalltasks(m));
  ProcessResult tree = kdpctl.run(with(kernel, {"showproctree"}));
  CHECK(tree.exit_code == 0);
  CHECK(tree.out == expected_showproctree(m, 0));

  const std::string at = hex(kext_alloc);
  CHECK(kdpctl.run(with(kernel, {"break", "kext_alloc"})).out == "Breakpoint 1 at " + at + " <kext_alloc>\n");
  ProcessResult stop = kdpctl.run(with(kernel, {"continue"}));
  CHECK(stop.exit_code == 0);
  CHECK(stop.out == "Continuing.\n\nBreakpoint 1, " + at + " in kext_alloc ()\n");
  ProcessResult bt = kdpctl.run(with(kernel, {"bt"}));
  CHECK(bt.out.rfind("#0  " + at + " in kext_alloc ()\n", 0) == 0);

  // The seed's `print *(struct proc *)ADDR` of launchd, as gdb prints it with `set print pretty on`:
  // "$1 = {", fields indented by two, a char[17] as a string with its NUL padding spelled \000
  // (all but the array's last byte; runs over 10 as '\000' <repeats N times>).
  const world::ProcModel* launchd = nullptr;
  for (const world::ProcModel& p : m.procs)
    if (p.pid == 1) launchd = &p;
  REQUIRE(launchd != nullptr);
  ProcessResult proc = kdpctl.run(with(kernel, {"print", "*(struct proc *)" + hex(launchd->address)}));
  CHECK(proc.exit_code == 0);
  CHECK(proc.out.rfind("$1 = {\n  p_list = {\n    le_next = ", 0) == 0);
  CHECK(contains(proc.out, "\n  p_pid = 1,\n"));
  CHECK(contains(proc.out, "\n  p_pptr = " + hex(launchd->parent) + ",\n  p_ppid = " + std::to_string(launchd->ppid) + ",\n"));
  std::string comm = "\"" + launchd->comm;
  for (size_t i = launchd->comm.size(); i < 16; ++i) comm += "\\000";
  REQUIRE(16 - launchd->comm.size() <= 10);
  CHECK(contains(proc.out, "\n  p_comm = " + comm + "\",\n"));
  CHECK(proc.out.find("<incomplete type>") == std::string::npos);
  CHECK(proc.out.size() > 2);
  CHECK(proc.out.substr(proc.out.size() - 3) == "\n}\n");
}

TEST_CASE("bt names a frame in a kext from the kmod list: com.apple.X + 0xOFF (gdb printed ?? ())") {
  if (!binaries_available()) return;
  auto w = make_world({.procs = 12, .seed = 5});
  const world::WorldModel& m = w->model();
  REQUIRE(m.kmods.size() > 2);
  const world::KmodModel& kext = m.kmods[m.kmods.size() / 2];
  const uint64_t in_kext = kext.kext_address + 0x40;  // inside its Mach-O header page, mapped
  // After a resume the simulated CPU runs into the kext, where the breakpoint stops it.
  Sim sim(sim_flags(*w, {"--script", hex(in_kext)}));
  REQUIRE(sim.ready());
  Kdpctl kdpctl;
  REQUIRE(kdpctl.run({"reattach", sim.target()}).exit_code == 0);
  const std::vector<std::string> kernel = {"--kernel", w->kernel()};
  REQUIRE(kdpctl.run(with(kernel, {"break", hex(in_kext)})).exit_code == 0);
  REQUIRE(kdpctl.run(with(kernel, {"continue"})).exit_code == 0);
  ProcessResult bt = kdpctl.run(with(kernel, {"bt"}));
  CHECK(bt.exit_code == 0);
  char frame0[160];
  std::snprintf(frame0, sizeof frame0, "#0  0x%016llx in %s + 0x40 ()\n", static_cast<unsigned long long>(in_kext),
                kext.name.c_str());
  CHECK(bt.out.rfind(frame0, 0) == 0);
  // The stopped thread's callers are kernel functions, named by the kernel's symbols.
  CHECK(bt.out.find("\n#1  ") != std::string::npos);
  CHECK(bt.out.find("??") == std::string::npos);
}

TEST_CASE("corrupted worlds: every kgmacro ends, prints what it could, and says in one line where it stopped") {
  if (!binaries_available()) return;
  for (std::string_view name : world::corruption_names()) {
    INFO("--corrupt " << name);
    auto w = make_world({.procs = 60, .seed = 4, .corrupt = *world::parse_corruption(name)});
    const world::WorldModel& m = w->model();
    const world::CorruptionModel& c = m.corruption;
    Kdpctl kdpctl;
    const std::vector<std::string> files = {"--core", w->core(), "--kernel", w->kernel()};
    std::map<std::string, ProcessResult> results;
    for (const auto& line : kgm_command_lines(m)) {
      ProcessResult r = run_process(kdpctl.argv(with(files, line)), {}, std::chrono::seconds(60));
      std::string command;
      for (const std::string& word : line) command += (command.empty() ? "" : " ") + word;
      INFO(command);
      CHECK(!r.timed_out);
      CHECK((r.exit_code == 0 || r.exit_code == 1));  // never a crash (128 + signal) or a hang
      if (r.exit_code == 1) {
        CHECK(lines(r.err) == 1);
        CHECK(r.err.rfind("kdpctl: ", 0) == 0);
      }
      results[command] = r;
    }
    const std::string wild = hex(world::kUnmappedAddress);
    switch (c.kind) {
      case world::Corruption::kAllprocCycle: {  // kernproc, last on allproc, links back to allproc[2]
        const ProcessResult& r = results["allproc"];
        CHECK(r.exit_code == 1);
        CHECK(count(r.out, "Process 0x") == m.allproc.size());
        CHECK(r.err == "kdpctl: allproc: cycle at " + hex(c.value) + " after " + std::to_string(m.allproc.size()) +
                           " entries\n");
        break;
      }
      case world::Corruption::kChildrenCycle: {
        const ProcessResult& r = results["showproctree"];
        CHECK(r.exit_code == 1);
        CHECK(r.out.rfind("PID   PROCESS       POINTER]\n===   =======       =======\n", 0) == 0);
        CHECK(count(r.out, "[ 0x" + hex(c.value).substr(2) + " ]") == 1);  // printed once, not again
        CHECK(r.err == "kdpctl: proc tree: cycle at " + hex(c.value) + " after " +
                           std::to_string(lines(r.out) - 3) + " entries\n");
        break;
      }
      case world::Corruption::kWildPointer: {  // the victim's p_list.le_next
        const ProcessResult& r = results["allproc"];
        CHECK(r.exit_code == 1);
        CHECK(count(r.out, "Process 0x") == index_of(m.allproc, c.object) + 1);
        CHECK(r.err.find("Cannot access memory at address " + wild) != std::string::npos);
        break;
      }
      case world::Corruption::kUnmappedTask: {  // the victim's proc->task
        ProcessResult r = kdpctl.run(with(files, {"showproc", hex(c.object)}));
        CHECK(r.exit_code == 1);
        CHECK(r.out.rfind("task      ", 0) == 0);  // the header it could print
        CHECK(lines(r.out) == 1);
        CHECK(r.err.find(wild) != std::string::npos);
        CHECK(lines(r.err) == 1);
        break;
      }
      case world::Corruption::kCommNoNul: {  // 17 bytes, no NUL: printed whole, nothing after
        const ProcessResult& r = results["allproc"];
        CHECK(r.exit_code == 0);
        CHECK(count(r.out, "   name abcdefghijklmnopq\n") == 1);
        break;
      }
      case world::Corruption::kKmodTruncated: {
        const ProcessResult& r = results["showallkmods"];
        CHECK(r.exit_code == 1);
        std::vector<uint64_t> kmods;
        for (const world::KmodModel& k : m.kmods) kmods.push_back(k.address);
        CHECK(lines(r.out) == 1 + index_of(kmods, c.object) + 1);  // header + the rows up to the damaged one
        CHECK(r.err == "kdpctl: kmod: cannot read kmod_info at " + wild + ": Cannot access memory at address " + wild +
                           "\n");
        break;
      }
      case world::Corruption::kNone: break;
    }
    check_live_same(*w, focus_command(c), kdpctl.run(with(files, focus_command(c))));
  }
}

TEST_CASE("help NAME: the usage line of a kgmacro (the demo's guard); an unknown NAME is a usage error") {
  if (!binaries_available()) return;
  Kdpctl kdpctl;
  for (const char* name : {"showproctree", "showalltasks"}) {
    ProcessResult r = kdpctl.run({"help", name});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("usage: kdpctl " + std::string(name), 0) == 0);
  }
  ProcessResult unknown = kdpctl.run({"help", "showallprocs"});  // not a kgmacro (kgmacros.md §3)
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.empty());
  CHECK(unknown.err == "kdpctl: unknown command \"showallprocs\" (see kdpctl --help)\n");
  CHECK(kdpctl.run({"help"}).exit_code == 0);
}

TEST_CASE("gdb's abbreviations run their command; a mistyped command suggests the nearest one") {
  if (!binaries_available()) return;
  Kdpctl kdpctl;
  ProcessResult typo = kdpctl.run({"showalltask"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err == "kdpctl: unknown command \"showalltask\" (did you mean showalltasks?) (see kdpctl --help)\n");
  ProcessResult far = kdpctl.run({"frobnicate"});
  CHECK(far.err == "kdpctl: unknown command \"frobnicate\" (see kdpctl --help)\n");
  // p, b, c, where, backtrace reach print, break, continue and bt: their usage lines say so.
  for (const auto& pair : std::vector<std::pair<std::string, std::string>>{
           {"p", "print[/FMT] EXPR"}, {"b", "break"}, {"c", "continue"}, {"where", "bt [N] [full]"},
           {"backtrace", "bt [N] [full]"}}) {
    const std::string& alias = pair.first;  // not a structured binding: INFO captures it (clang 14)
    ProcessResult help = kdpctl.run({"help", alias});
    INFO(alias);
    CHECK(help.exit_code == 0);
    CHECK(help.out.starts_with("usage: kdpctl " + pair.second));
  }
  ProcessResult p = kdpctl.run({"p/x", "sizeof(struct proc) + 1"});
  CHECK(p.out == "$1 = 0x441\n");
}
