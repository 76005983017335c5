#include "tests/cli/world_support.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tests/kgm/expected.h"

namespace kdp::cli::test {
namespace {

using kgm_test::f;  // C printf, as gdb's printf in the macros

// kgmacros' showptr on LP64.
std::string ptr(uint64_t v) { return kgm_test::P(v); }

const world::ProcModel& proc(const world::WorldModel& m, uint64_t address) {
  const world::ProcModel* p = m.proc_at(address);
  REQUIRE_MESSAGE(p != nullptr, "no proc at ", ptr(address), " in the model");
  return *p;
}

// p_sibling.le_next: the proc after `address` in its parent's p_children (newest first).
uint64_t next_sibling(const world::WorldModel& m, uint64_t address) {
  const world::ProcModel& p = proc(m, address);
  if (p.parent == 0) return 0;
  const std::vector<uint64_t>& siblings = proc(m, p.parent).children;
  auto at = std::find(siblings.begin(), siblings.end(), address);
  if (at == siblings.end() || at + 1 == siblings.end()) return 0;
  return *(at + 1);
}

// showprocint's io_policy column: 8 characters for a policy, else 6 spaces.
std::string io_policy_column(const std::string& policy) {
  if (policy == "PASS") return "PASS    ";
  if (policy == "THROT") return "THROT   ";
  if (policy == "BG_THRT") return "BG_THRT ";
  if (policy == "EBG_THRT") return "EBG_THRT";
  return "      ";
}

std::string hex_arg(uint64_t v) { return f("0x%llx", static_cast<unsigned long long>(v)); }

}  // namespace

std::string WorldFiles::kernel_version() const {
  std::ifstream in(dir_.file("kernel_version.txt"));
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();  // as $(cat ...) does
  return s;
}

std::unique_ptr<WorldFiles> make_world(const world::WorldOptions& options) {
  auto built = world::build_world(options);
  REQUIRE_MESSAGE(built.has_value(), "build_world failed");
  auto files = std::make_unique<WorldFiles>(std::move(*built));
  REQUIRE(!files->dir().empty());
  auto written = world::write_world(files->world(), files->dir());
  REQUIRE_MESSAGE(written.has_value(), "write_world failed");
  // The record the expected texts come from is the one written beside the core (manifest.json).
  std::ifstream manifest(files->dir() + "/manifest.json");
  std::stringstream text;
  text << manifest.rdbuf();
  REQUIRE(text.str().rfind(world::manifest_json(files->model()), 0) == 0);
  return files;
}

std::vector<std::string> sim_flags(const WorldFiles& world, const std::vector<std::string>& extra) {
  std::vector<std::string> flags = {"--core", world.core(), "--kernel-version", world.kernel_version()};
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

std::vector<std::vector<std::string>> kgm_command_lines(const world::WorldModel& m) {
  const world::ProcModel& some = proc(m, m.allproc[m.allproc.size() / 3]);
  const uint64_t task = m.tasks[m.tasks.size() / 2].address;
  const world::KmodModel& kmod = m.kmods[m.kmods.size() / 2];
  return {{"showversion"},
          {"showalltasks"},
          {"showtask", hex_arg(task)},
          {"showpid", std::to_string(some.pid)},
          {"showproc", hex_arg(some.address)},
          {"showprocinfo", hex_arg(some.address)},
          {"allproc"},
          {"zombproc"},
          {"showproctree"},
          {"showproctree", "1"},
          {"showallkmods"},
          {"showkmodaddr", hex_arg(kmod.kext_address + 0x10)},
          {"showallstacks"},
          {"showcurrentthreads"},
          {"paniclog"},
          {"showbootargs"},
          {"zprint"}};
}

std::string expected_showalltasks(const world::WorldModel& m) {
  // showtaskheader + showprocheader on LP64 (pointer titles padded by showptrhdrpad).
  std::string s = kgm_test::kTaskHeader;
  for (const world::TaskModel& t : m.tasks) {  // tasks queue order, from kernel_task
    s += ptr(t.address) + "  " + ptr(t.map) + "  " + ptr(t.ipc_space);
    s += f(" %5d ", static_cast<int>(t.threads.size()));
    if (t.proc == 0) {
      s += "  *0*  " + ptr(0) + "  --\n";
      continue;
    }
    const world::ProcModel& p = proc(m, t.proc);
    s += f("%5d  ", p.pid) + ptr(p.address);
    s += (p.lflag & 0x400000) ? "  RAGE " : "       ";
    s += io_policy_column(t.io_policy);
    if (p.workqueue)
      s += f("  %2d %2d %2d ", static_cast<int>(p.workqueue->nthreads), static_cast<int>(p.workqueue->thidlecount),
               static_cast<int>(p.workqueue->itemcount));
    else
      s += std::string(11, ' ');
    s += "  " + p.comm + "\n";
  }
  return s;
}

std::string expected_showproctree(const world::WorldModel& m, int pid) {
  uint64_t start = m.initproc, stop = 0;
  if (pid > 0) {
    auto it = std::find_if(m.allproc.begin(), m.allproc.end(),
                           [&](uint64_t a) { return proc(m, a).pid == pid; });
    REQUIRE(it != m.allproc.end());
    REQUIRE(!proc(m, *it).children.empty());
    start = proc(m, *it).children.front();
    stop = *it;
  }
  auto bars = [](int x) {
    std::string b;
    for (int i = 0; i < x / 3; ++i) b += "|  ";
    return b;
  };
  auto c = [&](uint64_t a) { return proc(m, a).comm.c_str(); };
  auto ull = [](uint64_t a) { return static_cast<unsigned long long>(a); };
  const world::ProcModel& s0 = proc(m, start);
  std::string out = "PID   PROCESS       POINTER]\n===   =======       =======\n";
  out += f("%d    %s      [ 0x%llx ]\n", s0.ppid, c(s0.parent), ull(start));
  out += f("|--%d    %s      [ 0x%llx ]\n", s0.pid, c(start), ull(start));
  uint64_t h = start;
  int x = 0;
  bool rev = false;
  while (h != 0) {
    const world::ProcModel& p = proc(m, h);
    if (p.children.empty() || rev) {
      if (next_sibling(m, h) == 0) {
        if (h == p.parent) break;
        h = p.parent;
        if (h == stop) break;
        if (x > 3) x -= 3;
        rev = true;
      }
      if (uint64_t sib = next_sibling(m, h); sib != 0) {
        rev = false;
        h = sib;
        out += bars(x) + f("|--%d    %s    [ 0x%llx ]\n", proc(m, h).pid, c(h), ull(h));
      }
    } else {
      h = p.children.front();
      x += 3;
      out += bars(x) + f("|--%d    %s      [ 0x%llx ] \n", proc(m, h).pid, c(h), ull(h));
    }
  }
  return out + "\n";
}

}  // namespace kdp::cli::test
