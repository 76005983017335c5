// Fixture worlds (tools/fixtures/world): built in memory, written as a core file, read back with
// macho/core's reader and decoded field by field at the documented 10.7.3 offsets. The model the
// builder returns is only used as the list of what should be there; every structure is found by
// walking memory from the globals, as the kgmacros do.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "macho/kernel_image.h"
#include "tests/world/world_reader.h"
#include "tools/fixtures/world/world.h"

using namespace kdp;
using namespace kdp::world;
using namespace kdp::world::testing;

namespace {

struct Loaded {
  World world;
  CoreMemory memory;
  Bytes core_bytes;
};

const Loaded& load(size_t procs, uint64_t seed, bool debug = false, Corruption corrupt = Corruption::kNone) {
  static std::map<std::tuple<size_t, uint64_t, bool, Corruption>, std::unique_ptr<Loaded>> cache;
  auto key = std::tuple{procs, seed, debug, corrupt};
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  auto world = build_world({procs, seed, debug, corrupt});
  REQUIRE_MESSAGE(world.has_value(), (world ? "" : world.error().message()));
  auto bytes = macho::encode_core(world->core);
  REQUIRE(bytes.has_value());
  auto parsed = macho::parse_core(*bytes, "world.core");
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().message()));
  auto loaded = std::make_unique<Loaded>(Loaded{std::move(*world), CoreMemory(std::move(*parsed)), std::move(*bytes)});
  return *(cache[key] = std::move(loaded));
}

// Walks a NULL-terminated BSD list, bounded so a cycle cannot hang the test.
std::vector<uint64_t> walk_list(const CoreMemory& m, uint64_t first, uint64_t next_offset, size_t limit = 20000) {
  std::vector<uint64_t> out;
  for (uint64_t p = first; p != 0 && out.size() < limit; p = m.u64(p + next_offset)) out.push_back(p);
  return out;
}

// Walks a Mach queue whose links point at element starts and end at the head.
std::vector<uint64_t> walk_queue(const CoreMemory& m, uint64_t head, uint64_t link_offset, size_t limit = 20000) {
  std::vector<uint64_t> out;
  for (uint64_t e = m.u64(head); e != head && out.size() < limit; e = m.u64(e + link_offset)) out.push_back(e);
  return out;
}

const doc::Thread& thread_offsets(bool debug) { return debug ? doc::kDebug : doc::kRelease; }

}  // namespace

TEST_CASE("the kernel header, version string and low globals are where the kgmacros look") {
  for (bool debug : {false, true}) {
    const Loaded& w = load(40, 1, debug);
    const CoreMemory& m = w.memory;
    CHECK(m.u32(doc::kMhExecuteHeader) == 0xfeedfacf);
    CHECK(m.u32(doc::kMhExecuteHeader + 4) == 0x01000007);
    std::string expected = std::string("Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; root:xnu-1699.24.23~1/") +
                           (debug ? "DEBUG_X86_64" : "RELEASE_X86_64");
    CHECK(m.c_string(doc::kVersion, 256) == expected);
    CHECK(m.c_string(doc::kLowGloAlias, 8) == "Catfish ");
    CHECK(m.u64(doc::kLowGloAlias + 0x30) == doc::kVersion);
    CHECK(m.u64(doc::kLowGloAlias + 0x8f8) == doc::kKmod);
    CHECK(m.u64(doc::kKernelStackSize) == 0x4000);
    CHECK(w.world.model.kernel_version == expected + "; UUID=" + w.world.model.uuid);
  }
}

TEST_CASE("allproc holds every live process newest first, ending with kernproc") {
  const Loaded& w = load(40, 1);
  const CoreMemory& m = w.memory;
  std::vector<uint64_t> procs = walk_list(m, m.u64(doc::kAllproc), doc::kPListNext);
  REQUIRE(procs.size() == 40);
  CHECK(procs == w.world.model.allproc);
  for (size_t i = 0; i + 1 < procs.size(); ++i)
    CHECK(static_cast<int32_t>(m.u32(procs[i] + doc::kPPid)) > static_cast<int32_t>(m.u32(procs[i + 1] + doc::kPPid)));
  uint64_t kernproc = m.u64(doc::kKernproc);
  CHECK(procs.back() == kernproc);
  CHECK(m.u32(kernproc + doc::kPPid) == 0);
  CHECK(m.u64(kernproc + doc::kPPptr) == kernproc);
  CHECK(m.c_string(kernproc + doc::kPComm, 17) == "kernel_task");
  uint64_t initproc = m.u64(doc::kInitproc);
  CHECK(m.u32(initproc + doc::kPPid) == 1);
  CHECK(m.c_string(initproc + doc::kPComm, 17) == "launchd");
  CHECK(m.u64(initproc + doc::kPPptr) == kernproc);
  // le_prev points back at the previous le_next (or at the head).
  CHECK(m.u64(procs.front() + 8) == doc::kAllproc);
  CHECK(m.u64(procs[1] + 8) == procs[0]);
}

TEST_CASE("zombies are on zombproc, not allproc, and still children of their parents") {
  const Loaded& w = load(40, 1);
  const CoreMemory& m = w.memory;
  std::vector<uint64_t> zombies = walk_list(m, m.u64(doc::kZombproc), doc::kPListNext);
  REQUIRE(!zombies.empty());
  CHECK(zombies == w.world.model.zombproc);
  std::vector<uint64_t> live = walk_list(m, m.u64(doc::kAllproc), doc::kPListNext);
  for (uint64_t z : zombies) {
    CHECK(m.u8(z + doc::kPStat) == 5);
    CHECK(m.u64(z + doc::kPTask) == 0);
    CHECK(std::find(live.begin(), live.end(), z) == live.end());
    uint64_t parent = m.u64(z + doc::kPPptr);
    std::vector<uint64_t> siblings = walk_list(m, m.u64(parent + doc::kPChildren), doc::kPSibling);
    CHECK(std::find(siblings.begin(), siblings.end(), z) != siblings.end());
  }
}

TEST_CASE("children lists match p_childrencnt and p_pptr, and cover every process once") {
  for (size_t procs : {10, 40, 300}) {
    const Loaded& w = load(procs, 7);
    const CoreMemory& m = w.memory;
    std::vector<uint64_t> all = walk_list(m, m.u64(doc::kAllproc), doc::kPListNext);
    std::vector<uint64_t> zombies = walk_list(m, m.u64(doc::kZombproc), doc::kPListNext);
    all.insert(all.end(), zombies.begin(), zombies.end());
    std::multiset<uint64_t> seen_as_child;
    for (uint64_t p : all) {
      std::vector<uint64_t> children = walk_list(m, m.u64(p + doc::kPChildren), doc::kPSibling);
      CHECK(children.size() == m.u32(p + doc::kPChildrencnt));
      for (size_t i = 0; i < children.size(); ++i) {
        CHECK(m.u64(children[i] + doc::kPPptr) == p);
        CHECK(m.u32(children[i] + doc::kPPpid) == m.u32(p + doc::kPPid));
        if (i + 1 < children.size())  // newest first
          CHECK(m.u32(children[i] + doc::kPPid) > m.u32(children[i + 1] + doc::kPPid));
        seen_as_child.insert(children[i]);
      }
    }
    uint64_t kernproc = m.u64(doc::kKernproc);
    for (uint64_t p : all) CHECK(seen_as_child.count(p) == (p == kernproc ? 0u : 1u));
  }
}

TEST_CASE("the tasks queue is in creation order and each task points back at its proc") {
  const Loaded& w = load(40, 1);
  const CoreMemory& m = w.memory;
  std::vector<uint64_t> tasks = walk_queue(m, doc::kTasks, doc::kTTasks);
  REQUIRE(tasks.size() == 40);
  CHECK(m.u64(doc::kTasks + 8) == tasks.back());  // head.prev: the last task
  CHECK(tasks.front() == m.u64(doc::kKernelTask));
  int32_t previous_pid = -1;
  for (uint64_t t : tasks) {
    uint64_t proc = m.u64(t + doc::kTBsdInfo);
    int32_t pid = static_cast<int32_t>(m.u32(proc + doc::kPPid));
    CHECK(pid > previous_pid);
    previous_pid = pid;
    CHECK(m.u64(proc + doc::kPTask) == t);
    CHECK(m.u64(t + doc::kTMap) != 0);
    CHECK(m.u64(m.u64(t + doc::kTItkSpace) + 0x88) == t);  // ipc_space.is_task
  }
  CHECK(static_cast<int32_t>(m.u32(m.u64(tasks[1] + doc::kTBsdInfo) + doc::kPPid)) == 1);
}

TEST_CASE("threads hang on their task's queue at the RELEASE or DEBUG offsets") {
  for (bool debug : {false, true}) {
    const Loaded& w = load(40, 3, debug);
    const CoreMemory& m = w.memory;
    const doc::Thread& off = thread_offsets(debug);
    const doc::Thread& other = thread_offsets(!debug);
    size_t total = 0;
    for (uint64_t t : walk_queue(m, doc::kTasks, doc::kTTasks)) {
      std::vector<uint64_t> threads = walk_queue(m, t + doc::kTThreads, off.task_threads);
      CHECK(threads.size() == m.u32(t + doc::kTThreadCount));
      CHECK(!threads.empty());
      for (uint64_t th : threads) {
        CHECK(m.u64(th + off.task) == t);
        CHECK(m.u64(th + other.task) != t);  // xnu-layouts.md's RELEASE/DEBUG check
        uint64_t uthread = m.u64(th + off.uthread);
        CHECK(m.u64(uthread + 0x128) == m.u64(t + doc::kTBsdInfo));  // uu_proc
      }
      total += threads.size();
    }
    CHECK(total == w.world.model.threads.size());
  }
}

TEST_CASE("kernel stacks chain from x86_kernel_state into real functions") {
  for (bool debug : {false, true}) {
    const Loaded& w = load(40, 5, debug);
    const CoreMemory& m = w.memory;
    const doc::Thread& off = thread_offsets(debug);
    auto image = macho::load_kernel_image_from_bytes(w.world.kernel.file, "world.kernel");
    REQUIRE(image.has_value());
    size_t stacks = 0, continuations = 0;
    for (const ThreadModel& model : w.world.model.threads) {
      uint64_t stack = m.u64(model.address + off.kernel_stack);
      if (stack == 0) {
        auto name = image->symbols().symbolize(m.u64(model.address + off.continuation));
        REQUIRE(name.has_value());
        CHECK(name->offset == 0);
        static const std::set<std::string> kContinuations = {
            "ipc_mqueue_receive_continue", "kevent_continue", "wq_unpark_continue", "thread_call_thread",
            "idle_thread", "thread_terminate_daemon", "vm_pageout_continue", "semaphore_wait_continue",
            "special_handler_continue"};
        CHECK_MESSAGE(kContinuations.count(std::string(name->name)) == 1, name->name);
        ++continuations;
        continue;
      }
      ++stacks;
      uint64_t state = stack + 0x4000 - 0x40;
      uint64_t rbp = m.u64(state + 0x10);
      std::vector<std::string> names;
      for (size_t n = 0; rbp != 0 && n < 128; ++n, rbp = m.u64(rbp)) {
        CHECK(rbp > stack);
        CHECK(rbp < stack + 0x4000);
        const uint64_t ret = m.u64(rbp + 8);
        if (model.address == w.world.model.kext_frame_thread && m.u64(rbp) == 0) {
          // The outermost frame of this one thread returns into the first kext loaded.
          const kdp::world::KmodModel& kext = w.world.model.kmods.back();
          CHECK(ret == kext.kext_address + 0x12a5);
          names.emplace_back(kext.name + " + 0x12a5");
          continue;
        }
        auto s = image->symbols().symbolize(ret);
        REQUIRE(s.has_value());
        names.emplace_back(s->name);
      }
      REQUIRE(names.size() == model.frames.size());
      for (size_t i = 0; i < names.size(); ++i) CHECK(model.frames[i].symbol.rfind(names[i], 0) == 0);
      if (!names.empty() && names[0] == "thread_invoke") {
        CHECK(names[1] == "thread_block_reason");
        CHECK(names[2] == "thread_block");
      }
    }
    CHECK(stacks >= 3);
    CHECK(continuations > stacks);
    CHECK(w.world.model.kext_frame_thread != 0);
  }
}

TEST_CASE("the stopped CPU: registers in Debugger, processor_list with the panicking thread") {
  for (bool debug : {false, true}) {
    const Loaded& w = load(40, 1, debug);
    const CoreMemory& m = w.memory;
    auto image = macho::load_kernel_image_from_bytes(w.world.kernel.file, "world.kernel");
    REQUIRE(image.has_value());
    REQUIRE(m.core().threads.size() == 1);
    const wire::X86ThreadState64& r = m.core().threads[0];
    auto at = image->symbols().symbolize(r.rip());
    REQUIRE(at.has_value());
    CHECK(at->name == "Debugger");
    std::vector<std::string> chain;
    for (uint64_t rbp = r.rbp(); rbp != 0 && chain.size() < 20; rbp = m.u64(rbp))
      chain.emplace_back(image->symbols().symbolize(m.u64(rbp + 8))->name);
    CHECK(chain == std::vector<std::string>{"panic", "kalloc_canblock", "kalloc", "kext_alloc",
                                            "kernel_bootstrap_thread", "thread_continue"});
    uint64_t list_off = debug ? doc::kProcessorListDebug : doc::kProcessorListRelease;
    std::vector<uint64_t> cpus = walk_list(m, m.u64(doc::kProcessorList), list_off);
    REQUIRE(cpus.size() == 2);
    CHECK(m.u32(cpus[0] + 0x10) == 6);  // RUNNING
    CHECK(m.u32(cpus[0] + 0x40) == 0);
    CHECK(m.u32(cpus[1] + 0x40) == 1);
    uint64_t active = m.u64(cpus[0] + 0x18);
    CHECK(active == w.world.model.stopped_thread);
    const doc::Thread& off = thread_offsets(debug);
    CHECK(m.u64(active + off.task) == m.u64(doc::kKernelTask));
    uint64_t stack = m.u64(active + off.kernel_stack);
    CHECK(r.rbp() > stack);
    CHECK(r.rbp() < stack + 0x4000);
  }
}

TEST_CASE("kmod list, panic log, boot-args and zones") {
  for (bool debug : {false, true}) {
    const Loaded& w = load(40, 2, debug);
    const CoreMemory& m = w.memory;
    std::vector<uint64_t> kmods = walk_list(m, m.u64(doc::kKmod), 0);
    REQUIRE(kmods.size() == w.world.model.kmods.size());
    REQUIRE(kmods.size() >= 10);
    for (size_t i = 0; i < kmods.size(); ++i) {
      uint64_t k = kmods[i];
      CHECK(m.c_string(k + 0x10, 64).rfind("com.apple.", 0) == 0);
      uint64_t address = m.u64(k + 0x9c), size = m.u64(k + 0xa4);
      CHECK(address + size <= doc::kMhExecuteHeader);  // kexts live below the kernel
      CHECK(k >= address);
      CHECK(k + 0xc4 <= address + size);  // kmod_info is inside its kext
      CHECK(m.u32(address) == 0xfeedfacf);
      if (i + 1 < kmods.size()) CHECK(m.u32(k + 0xc) > m.u32(kmods[i + 1] + 0xc));  // newest first
    }
    uint64_t end = m.u64(doc::kDebugBufPtr);
    REQUIRE(end > doc::kDebugBuf);
    REQUIRE(end - doc::kDebugBuf < 3 * 4096);
    auto log = m.bytes(doc::kDebugBuf, end - doc::kDebugBuf);
    REQUIRE(log.has_value());
    std::string text(log->begin(), log->end());
    CHECK(text == w.world.model.panic_log);
    CHECK(text.rfind("panic(cpu 0 caller 0x", 0) == 0);
    CHECK(text.find(w.world.model.uuid) != std::string::npos);
    uint64_t args = m.u64(doc::kPeState + 0xa0);
    CHECK(m.c_string(args + 8, 1024) == "debug=0x144 kdp_match_name=en0 -v");
    uint64_t num_allocs = debug ? doc::kZoneNumAllocsDebug : doc::kZoneNumAllocsRelease;
    std::vector<uint64_t> zones = walk_list(m, m.u64(doc::kFirstZone), 0x1b8);
    REQUIRE(zones.size() == w.world.model.zones.size());
    std::map<std::string, uint32_t> counts;
    for (size_t i = 0; i < zones.size(); ++i) {
      counts[m.c_string(m.u64(zones[i] + 0x1f8), 64)] = m.u32(zones[i]);
      CHECK(m.u32(zones[i] + num_allocs) == w.world.model.zones[i].num_allocs);
      CHECK(m.u32(zones[i] + num_allocs) >= m.u32(zones[i]));
    }
    CHECK(counts["proc"] == w.world.model.procs.size());
    CHECK(counts["tasks"] == 40);
  }
}

TEST_CASE("workqueues and p_ucred are written at the documented offsets") {
  const Loaded& w = load(60, 4);
  const CoreMemory& m = w.memory;
  size_t with_wq = 0;
  for (const ProcModel& p : w.world.model.procs) {
    uint64_t cred = m.u64(p.address + doc::kPUcred);
    CHECK(m.u32(cred + 0x18) == p.uid);
    CHECK(m.u32(cred + 0x1c) == p.ruid);
    uint64_t wq = m.u64(p.address + doc::kPWqptr);
    CHECK((wq != 0) == p.workqueue.has_value());
    if (wq == 0) continue;
    ++with_wq;
    CHECK(m.u64(wq + 0x2000) == p.address);
    CHECK(m.u32(wq + 0x204c) == p.workqueue->nthreads);
    CHECK(m.u32(wq + 0x2050) == p.workqueue->thidlecount);
    CHECK(m.u32(wq + 0x2028) == p.workqueue->itemcount);
  }
  CHECK(with_wq >= 5);
}

TEST_CASE("each corruption is present as specified") {
  const uint64_t kUnmapped = kUnmappedAddress;
  SUBCASE("allproc-cycle") {
    const Loaded& w = load(40, 1, false, Corruption::kAllprocCycle);
    const CoreMemory& m = w.memory;
    uint64_t kernproc = m.u64(doc::kKernproc);
    uint64_t back = m.u64(kernproc + doc::kPListNext);
    std::vector<uint64_t> first = walk_list(m, m.u64(doc::kAllproc), 0, 40);
    CHECK(back == first[2]);
    CHECK(walk_list(m, m.u64(doc::kAllproc), 0, 200).size() == 200);  // never ends
  }
  SUBCASE("children-cycle") {
    const Loaded& w = load(40, 1, false, Corruption::kChildrenCycle);
    const CoreMemory& m = w.memory;
    uint64_t launchd = m.u64(doc::kInitproc);
    uint64_t first = m.u64(launchd + doc::kPChildren);
    size_t count = m.u32(launchd + doc::kPChildrencnt);
    std::vector<uint64_t> walk = walk_list(m, first, doc::kPSibling, count + 1);
    REQUIRE(walk.size() == count + 1);
    CHECK(walk[count] == first);
  }
  SUBCASE("wild-pointer") {
    const Loaded& w = load(40, 1, false, Corruption::kWildPointer);
    const CoreMemory& m = w.memory;
    uint64_t p = m.u64(doc::kAllproc);
    size_t n = 0;
    while (p != kUnmapped && n < 100) p = m.u64(p), ++n;
    CHECK(p == kUnmapped);
    CHECK(n == 21);  // allproc[20], the middle of 40, is the damaged one
    CHECK(!m.mapped(kUnmapped));
  }
  SUBCASE("unmapped-task") {
    const Loaded& w = load(40, 1, false, Corruption::kUnmappedTask);
    const CoreMemory& m = w.memory;
    uint64_t victim = w.world.model.allproc[20];
    CHECK(m.u64(victim + doc::kPTask) == kUnmapped);
    CHECK(!m.mapped(kUnmapped));
    CHECK(w.world.model.corruption.object == victim);
  }
  SUBCASE("comm-no-nul") {
    const Loaded& w = load(40, 1, false, Corruption::kCommNoNul);
    const CoreMemory& m = w.memory;
    uint64_t victim = w.world.model.corruption.object;
    auto comm = m.bytes(victim + doc::kPComm, 17);
    REQUIRE(comm.has_value());
    CHECK(std::none_of(comm->begin(), comm->end(), [](uint8_t b) { return b == 0; }));
  }
  SUBCASE("kmod-truncated") {
    const Loaded& w = load(40, 1, false, Corruption::kKmodTruncated);
    const CoreMemory& m = w.memory;
    uint64_t k = m.u64(doc::kKmod);
    size_t n = 0;
    while (k != 0 && k != kUnmapped && n < 100) k = m.u64(k), ++n;
    CHECK(k == kUnmapped);
    CHECK(n == w.world.model.kmods.size() / 2 + 1);
  }
}

TEST_CASE("the same seed gives the same world; another seed another one") {
  auto a = build_world({40, 9});
  auto b = build_world({40, 9});
  auto c = build_world({40, 10});
  REQUIRE((a && b && c));
  CHECK(a->kernel.file == b->kernel.file);
  CHECK(macho::encode_core(a->core).value() == macho::encode_core(b->core).value());
  CHECK(manifest_json(a->model) == manifest_json(b->model));
  CHECK(manifest_json(a->model) != manifest_json(c->model));
  CHECK(a->model.uuid != c->model.uuid);
}

TEST_CASE("a 5,000-process world builds and walks completely") {
  const Loaded& w = load(5000, 11);
  const CoreMemory& m = w.memory;
  CHECK(walk_list(m, m.u64(doc::kAllproc), 0).size() == 5000);
  CHECK(walk_queue(m, doc::kTasks, doc::kTTasks).size() == 5000);
  std::set<uint32_t> pids;
  for (uint64_t p : walk_list(m, m.u64(doc::kAllproc), 0)) pids.insert(m.u32(p + doc::kPPid));
  CHECK(pids.size() == 5000);
  CHECK(*pids.rbegin() <= 99999);  // PID_MAX
}

TEST_CASE("options out of range are refused") {
  CHECK(!build_world({9, 1}).has_value());
  CHECK(!build_world({5001, 1}).has_value());
  CHECK(parse_corruption("allproc-cycle") == Corruption::kAllprocCycle);
  CHECK(!parse_corruption("bogus").has_value());
  CHECK(corruption_names().size() == 6);
}

TEST_CASE("the kernel's symbols are at the real 10.7.3 addresses") {
  std::string path = std::string(KDPCTL_SHARED_DIR) + "/data/xnu-1699.24.23-lion-10.7.3/symbols.tsv";
  std::ifstream in(path);
  if (!in) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") FAIL("missing " << path << " (required when CI=true)");
    MESSAGE("skipped: " << path << " is absent");
    return;
  }
  std::map<std::string, uint64_t> real;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, address;
    fields >> name >> address;
    real.emplace(name, std::stoull(address, nullptr, 16));
  }
  const Loaded& w = load(40, 1);
  auto image = macho::load_kernel_image_from_bytes(w.world.kernel.file, "world.kernel");
  REQUIRE(image.has_value());
  size_t checked = 0;
  for (const char* name : {"tasks", "allproc", "zombproc", "kernproc", "initproc", "kernel_task", "kmod", "version",
                           "processor_list", "first_zone", "debug_buf", "debug_buf_ptr", "PE_state",
                           "kernel_stack_size", "_mh_execute_header", "last_kernel_symbol", "lowGlo", "Debugger",
                           "panic", "kalloc", "thread_continue", "thread_invoke", "thread_block",
                           "machine_switch_context", "ipc_mqueue_receive_continue", "wq_unpark_continue",
                           "idle_thread", "unix_syscall64", "kevent_continue", "_sleep"}) {
    auto mine = image->symbols().lookup(name);
    REQUIRE_MESSAGE(mine.has_value(), name);
    auto it = real.find("_" + std::string(name));
    REQUIRE_MESSAGE(it != real.end(), name);
    CHECK_MESSAGE(*mine == it->second, name);
    ++checked;
  }
  for (const SymbolModel& g : w.world.model.globals) {
    auto it = real.find("_" + g.name);
    if (it == real.end()) continue;
    CHECK_MESSAGE(g.address == it->second, g.name);
    ++checked;
  }
  CHECK(checked > 60);
}

TEST_CASE("the manifest names every process with its pid, parent and comm, and every thread") {
  const Loaded& w = load(40, 1, false, Corruption::kWildPointer);
  std::string manifest = manifest_json(w.world.model);
  for (const ProcModel& p : w.world.model.procs) {
    std::string entry = "{\"address\":\"" + hex(p.address) + "\",\"pid\":" + std::to_string(p.pid) +
                        ",\"ppid\":" + std::to_string(p.ppid) + ",\"parent\":\"" + hex(p.parent) +
                        "\",\"comm\":\"" + p.comm + "\"";
    CHECK_MESSAGE(manifest.find(entry) != std::string::npos, entry);
  }
  for (const ThreadModel& t : w.world.model.threads)
    CHECK(manifest.find("{\"address\":\"" + hex(t.address) + "\",\"task\":\"" + hex(t.task) + "\"") != std::string::npos);
  CHECK(manifest.find("\"corruption\":\"wild-pointer\"") != std::string::npos);
  CHECK(manifest.find("\"corruption_detail\":{\"kind\":\"wild-pointer\",\"object\":\"" +
                      hex(w.world.model.allproc[20]) + "\"") != std::string::npos);
  CHECK(std::count(manifest.begin(), manifest.end(), '{') == std::count(manifest.begin(), manifest.end(), '}'));
}
