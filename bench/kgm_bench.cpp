// kgm_bench: what showproctree and showalltasks cost in KDP requests, and how long they take.
// A program to run by hand; its figures go into the README's Performance section.
//
//   kgm_bench [--procs 1000] [--seed 1] [--offline-procs 5000] [--delay MS] [--runs N]
//
// 1. Request policies, simulated in-process over the world's core (no network): the command runs
//    over kdpctl's CachedMemory on a back-end that counts requests as the live session sends them
//    (MAXBYTES = 1024 per READMEM64). Every read the command makes is recorded: those are the
//    ranges it needs, and kgm::minimal_request_count over them is the yardstick. Next to kdpctl:
//    gdb's policy (one read per field the macro touches, no cache) and LLDB's (a 512-byte block
//    cache: one request per distinct block touched).
// 2. Wall time of `kdpctl CMD` against kdp-sim serving the same world with --delay MS (one way),
//    and the KDP requests that run sent (kdpctl -v, connection set-up included).
// 3. Offline: `kdpctl --core world.core --kernel mach_kernel showalltasks` on a larger world.
// e2e_support (the process helpers shared with the tests) reports skips with doctest: provide
// doctest's implementation, without its main.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kgm/cached_memory.h"
#include "kgm/commands.h"
#include "kgm/core_memory.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/read_plan.h"
#include "tests/cli/e2e_support.h"
#include "tools/fixtures/world/world.h"

namespace {

using namespace kdp;
using Clock = std::chrono::steady_clock;
constexpr uint64_t kMaxBytes = 1024;  // kdp-sim's MAXBYTES (MAX_KDP_DATA_SIZE)
constexpr uint64_t kLldbLine = 512;   // LLDB's memory cache line

// The live back-end's request count: each read is split at MAXBYTES, as SessionMemory does.
class KdpCountingMemory final : public kgm::Memory {
 public:
  explicit KdpCountingMemory(kgm::Memory& backing) : backing_(backing) {}
  Expected<Bytes> read(uint64_t address, uint64_t size) override {
    count(size);
    return backing_.read(address, size);
  }
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override {
    count(size);
    return backing_.read_partial(address, size);
  }
  uint64_t max_request() const override { return kMaxBytes; }
  kgm::MemoryStats stats() const override { return stats_; }
  std::string source() const override { return backing_.source(); }

 private:
  void count(uint64_t size) {
    stats_.requests += std::max<uint64_t>(1, (size + kMaxBytes - 1) / kMaxBytes);
    stats_.bytes += size;
  }
  kgm::Memory& backing_;
  kgm::MemoryStats stats_;
};

// What the command reads (its needed ranges), passed on to the cache below.
class RecordingMemory final : public kgm::Memory {
 public:
  explicit RecordingMemory(kgm::Memory& inner) : inner_(inner) {}
  Expected<Bytes> read(uint64_t address, uint64_t size) override {
    reads.push_back({address, size});
    return inner_.read(address, size);
  }
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override {
    auto got = inner_.read_partial(address, size);
    if (got) reads.push_back({address, got->size()});
    return got;
  }
  Status prefetch(std::span<const kgm::Range> ranges) override { return inner_.prefetch(ranges); }
  uint64_t max_request() const override { return inner_.max_request(); }
  kgm::MemoryStats stats() const override { return inner_.stats(); }
  std::string source() const override { return inner_.source(); }
  std::vector<kgm::Range> reads;

 private:
  kgm::Memory& inner_;
};

// The fields each macro touches per object (kgmacros.md §3): gdb reads each one on its own.
using FieldTable = std::map<std::string, std::vector<std::string>>;
const FieldTable kProctreeFields = {
    {"proc", {"p_pid", "p_ppid", "p_pptr", "p_comm", "p_childrencnt", "p_children.lh_first", "p_sibling.le_next"}}};
const FieldTable kAlltasksFields = {
    {"task", {"map", "itk_space", "thread_count", "bsd_info", "tasks.next", "ext_actionstate", "actionstate"}},
    {"proc", {"p_pid", "p_lflag", "task", "p_wqptr", "p_comm"}},
    {"workqueue", {"wq_nthreads", "wq_thidlecount", "wq_itemcount"}}};

std::map<uint64_t, std::string> object_types(const world::WorldModel& m) {
  std::map<uint64_t, std::string> types;
  for (const auto& p : m.procs) {
    types[p.address] = "proc";
    if (p.workqueue) types[p.workqueue->address] = "workqueue";
  }
  for (const auto& t : m.tasks) types[t.address] = "task";
  return types;
}

// gdb: one request per field the macro reads from each object read (a read of anything else,
// a global or a string, is one request).
uint64_t gdb_requests(const std::vector<kgm::Range>& reads, const world::WorldModel& m, const kgm::TypeModel& types,
                      const FieldTable& table) {
  const auto objects = object_types(m);
  uint64_t n = 0;
  for (const kgm::Range& r : reads) {
    auto it = objects.upper_bound(r.address);
    uint64_t fields = 0;
    if (it != objects.begin()) {
      --it;
      auto fields_of = table.find(it->second);
      if (fields_of != table.end())
        for (const std::string& path : fields_of->second) {
          auto f = types.field(it->second, path);
          if (!f) continue;
          const uint64_t at = it->first + f->offset;
          if (at >= r.address && at + f->type.size <= r.end()) ++fields;
        }
    }
    n += std::max<uint64_t>(fields, 1);
  }
  return n;
}

uint64_t lldb_requests(const std::vector<kgm::Range>& reads) {
  std::set<uint64_t> lines;
  for (const kgm::Range& r : reads)
    for (uint64_t line = r.address / kLldbLine; r.size > 0 && line <= (r.end() - 1) / kLldbLine; ++line) lines.insert(line);
  return lines.size();
}

struct PolicyRow {
  std::string command;
  uint64_t minimal = 0, kdpctl = 0, gdb = 0, lldb = 0;
  double ms = 0;
};

PolicyRow simulate(const world::World& w, const std::string& command, const FieldTable& table) {
  kgm::CoreMemory core(w.core, "world.core");
  KdpCountingMemory kdp(core);
  kgm::CachedMemory cache(kdp);
  RecordingMemory recording(cache);
  auto types = kgm::builtin_types_for(w.model.version);
  if (!types) {
    std::fprintf(stderr, "kgm_bench: %s\n", types.error().message().c_str());
    std::exit(1);
  }
  kgm::MapSymbolSource symbols;
  for (const auto& g : w.model.globals) symbols.add(g.name, g.address);
  kgm::KernelContext ctx{recording, *types, symbols, w.model.version};
  auto started = Clock::now();
  kgm::CommandResult result = kgm::find_command(command)->run(ctx, std::nullopt);
  PolicyRow row{command};
  row.ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  if (result.error) std::fprintf(stderr, "kgm_bench: %s: %s\n", command.c_str(), result.error->message().c_str());
  row.minimal = kgm::minimal_request_count(recording.reads, kMaxBytes);
  row.kdpctl = kdp.stats().requests;
  row.gdb = gdb_requests(recording.reads, w.model, *types, table);
  row.lldb = lldb_requests(recording.reads);
  return row;
}

world::World build(size_t procs, uint64_t seed) {
  auto w = world::build_world({.procs = procs, .seed = seed});
  if (!w) {
    std::fprintf(stderr, "kgm_bench: %s\n", w.error().message().c_str());
    std::exit(1);
  }
  return std::move(*w);
}

std::string kernel_version_of(const std::string& dir) {
  std::string text;
  if (FILE* f = std::fopen((dir + "/kernel_version.txt").c_str(), "r")) {
    char buf[512];
    size_t n = std::fread(buf, 1, sizeof buf, f);
    text.assign(buf, n);
    std::fclose(f);
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// "kdpctl: N KDP requests ..." (the -v summary) -> N.
uint64_t requests_of(const std::string& err) {
  const size_t at = err.rfind("kdpctl: ");
  return at == std::string::npos ? 0 : std::strtoull(err.c_str() + at + 8, nullptr, 10);
}

double best_ms(int runs, const std::vector<std::string>& argv, uint64_t* requests, bool* ok) {
  double best = 1e18;
  for (int i = 0; i < runs; ++i) {
    auto started = Clock::now();
    cli::test::ProcessResult r = cli::test::run_process(argv);
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    *ok = *ok && r.exit_code == 0;
    if (requests) *requests = requests_of(r.err);
  }
  return best;
}

void live(const world::World& w, double delay_ms, int runs) {
  cli::test::TempDir dir;
  if (auto s = world::write_world(w, dir.path()); !s) return;
  cli::test::Sim sim({"--core", dir.file("world.core"), "--kernel-version", kernel_version_of(dir.path()), "--delay",
                      std::to_string(delay_ms)});
  if (!sim.ready()) {
    std::fprintf(stderr, "kgm_bench: kdp-sim did not start\n");
    return;
  }
  cli::test::Kdpctl kdpctl;
  kdpctl.run({"--kernel", dir.file("mach_kernel"), "reattach", sim.target()});
  std::printf("\nlive: kdpctl over kdp-sim --delay %.1f ms (one way), best of %d, process start included\n", delay_ms, runs);
  std::printf("%-14s %10s %14s\n", "command", "wall ms", "KDP requests");
  for (const char* command : {"showproctree", "showalltasks"}) {
    uint64_t requests = 0;
    bool ok = true;
    double ms = best_ms(runs, kdpctl.argv({"-v", "--kernel", dir.file("mach_kernel"), command}), &requests, &ok);
    std::printf("%-14s %10.1f %14llu%s\n", command, ms, static_cast<unsigned long long>(requests), ok ? "" : "  (FAILED)");
  }
}

void offline(size_t procs, int runs) {
  world::World w = build(procs, 1);
  cli::test::TempDir dir;
  if (auto s = world::write_world(w, dir.path()); !s) return;
  cli::test::Kdpctl kdpctl;
  bool ok = true;
  double ms = best_ms(runs, kdpctl.argv({"--core", dir.file("world.core"), "--kernel", dir.file("mach_kernel"), "showalltasks"}),
                      nullptr, &ok);
  PolicyRow in_process = simulate(w, "showalltasks", kAlltasksFields);
  std::printf("\noffline: showalltasks on %zu processes from a core file, best of %d\n", procs, runs);
  std::printf("  kdpctl --core (process start, kernel file and core loading included): %.1f ms%s\n", ms,
              ok ? "" : "  (FAILED)");
  std::printf("  the command alone, in-process over the core: %.1f ms\n", in_process.ms);
}

}  // namespace

int main(int argc, char** argv) {
  size_t procs = 1000, offline_procs = 5000;
  uint64_t seed = 1;
  double delay = 1;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--procs") procs = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--offline-procs") offline_procs = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--delay") delay = std::strtod(argv[i + 1], nullptr);
    else if (a == "--runs") runs = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: kgm_bench [--procs N] [--seed S] [--offline-procs N] [--delay MS] [--runs N]\n");
      return 2;
    }
  }
  world::World w = build(procs, seed);
  std::printf("KDP requests on a %zu-process world (seed %llu), MAXBYTES %llu\n", procs,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(kMaxBytes));
  std::printf("%-14s %8s %8s %7s %8s %7s %8s %7s\n", "command", "minimal", "kdpctl", "ratio", "gdb", "ratio", "lldb",
              "ratio");
  for (auto [command, table] : {std::pair{"showproctree", &kProctreeFields}, std::pair{"showalltasks", &kAlltasksFields}}) {
    PolicyRow r = simulate(w, command, *table);
    auto ratio = [&](uint64_t n) { return r.minimal ? double(n) / double(r.minimal) : 0.0; };
    std::printf("%-14s %8llu %8llu %7.2f %8llu %7.2f %8llu %7.2f\n", command, static_cast<unsigned long long>(r.minimal),
                static_cast<unsigned long long>(r.kdpctl), ratio(r.kdpctl), static_cast<unsigned long long>(r.gdb),
                ratio(r.gdb), static_cast<unsigned long long>(r.lldb), ratio(r.lldb));
  }
  if (!cli::test::kdpctl_path().empty() && !cli::test::sim_path().empty()) {
    live(w, delay, runs);
    offline(offline_procs, runs);
  }
  return 0;
}
