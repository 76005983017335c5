// The deterministic simulation: many seeded runs of a mixed workload through the real client
// Session and stub engine over a faulty virtual network (sim_workload.h). A failing seed is
// printed with the command that replays it alone, verbosely:
//   KDPCTL_SIM_SEED=<seed> ./test_sim          (one seed, every operation printed)
//   KDPCTL_SIM_SEEDS=<n> KDPCTL_SIM_FIRST=<s>  (how many runs, from which seed; default 4000 from
//                                               1, 200 in sanitizer builds)
//   KDPCTL_SIM_COMMAND_SEEDS=<n>               (runs of the across-commands simulation, sim_commands.h)
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim_commands.h"
#include "sim_workload.h"

using namespace kdp::sim;

namespace {

// The regular build runs 4,000 seeds of each simulation (about 10 s each); under ASan+UBSan (CI
// builds those in Debug) the same runs take 10-20x longer, so 200 there unless
// KDPCTL_SIM_SEEDS / KDPCTL_SIM_COMMAND_SEEDS say otherwise.
#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kDefaultSeeds = 200;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr uint64_t kDefaultSeeds = 200;
#else
constexpr uint64_t kDefaultSeeds = 4000;
#endif
#else
constexpr uint64_t kDefaultSeeds = 4000;
#endif

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

struct Totals {
  uint64_t runs = 0, failures = 0, ops = 0, requests = 0, retransmissions = 0, resyncs = 0;
  uint64_t discarded = 0, stops = 0, handovers = 0, resumes = 0, seq255 = 0, hazards = 0, tolerated = 0;
  double virtual_seconds = 0;

  void add(const RunReport& r) {
    ++runs;
    failures += r.ok ? 0 : 1;
    ops += r.ops;
    requests += r.requests;
    retransmissions += r.retransmissions;
    resyncs += r.resyncs;
    discarded += r.discarded;
    stops += r.stops;
    handovers += r.handovers;
    resumes += r.resumes;
    seq255 += r.seq255;
    hazards += r.hazards;
    tolerated += r.tolerated_errors;
    virtual_seconds += std::chrono::duration<double>(r.virtual_time).count();
  }
};

}  // namespace

TEST_CASE("deterministic simulation: no wrong result and no hang for any seed") {
  if (const char* one = std::getenv("KDPCTL_SIM_SEED"); one != nullptr && *one != '\0') {
    uint64_t seed = std::strtoull(one, nullptr, 10);
    RunReport r = run_workload(seed, true);
    std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed), r.ok ? "ok" : r.failure.c_str());
    CHECK_MESSAGE(r.ok, r.failure);
    return;
  }
  uint64_t first = env_or("KDPCTL_SIM_FIRST", 1);
  uint64_t count = env_or("KDPCTL_SIM_SEEDS", kDefaultSeeds);
  auto started = std::chrono::steady_clock::now();
  Totals totals;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    RunReport r = run_workload(seed);
    totals.add(r);
    if (!r.ok) {
      std::printf("FAILED seed %llu: %s\n  replay: KDPCTL_SIM_SEED=%llu ./test_sim\n",
                  static_cast<unsigned long long>(seed), r.failure.c_str(), static_cast<unsigned long long>(seed));
      std::fflush(stdout);
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "simulation: %llu runs (seeds %llu..%llu) in %.1f s wall, %.0f s virtual: %llu ops, %llu requests, "
      "%llu retransmissions, %llu resyncs, %llu discarded datagrams, %llu stops, %llu handovers, %llu resumes, "
      "%llu requests executed as seq 255, %llu sessions hit by stale or duplicate handshake requests "
      "(%llu errors tolerated), "
      "%llu failures\n",
      (unsigned long long)totals.runs, (unsigned long long)first, (unsigned long long)(first + count - 1), wall,
      totals.virtual_seconds, (unsigned long long)totals.ops, (unsigned long long)totals.requests,
      (unsigned long long)totals.retransmissions, (unsigned long long)totals.resyncs,
      (unsigned long long)totals.discarded, (unsigned long long)totals.stops, (unsigned long long)totals.handovers,
      (unsigned long long)totals.resumes,
      (unsigned long long)totals.seq255, (unsigned long long)totals.hazards, (unsigned long long)totals.tolerated,
      (unsigned long long)totals.failures);
  CHECK(totals.failures == 0);
  if (count >= 1000) {  // the faults the simulation exists for did happen
    CHECK(totals.retransmissions > 0);
    CHECK(totals.resyncs > 0);
    CHECK(totals.seq255 > 0);
    CHECK(totals.handovers > 0);
    CHECK(totals.resumes > 0);
    CHECK(totals.stops > 0);
  }
}

TEST_CASE("deterministic simulation across commands: every command succeeds with the right answer") {
  if (const char* one = std::getenv("KDPCTL_SIM_SEED"); one != nullptr && *one != '\0') {
    uint64_t seed = std::strtoull(one, nullptr, 10);
    CommandsReport r = run_commands(seed, true);
    std::printf("commands seed %llu: %s\n", static_cast<unsigned long long>(seed), r.ok ? "ok" : r.failure.c_str());
    CHECK_MESSAGE(r.ok, r.failure);
    return;
  }
  uint64_t first = env_or("KDPCTL_SIM_FIRST", 1);
  uint64_t count = env_or("KDPCTL_SIM_COMMAND_SEEDS", kDefaultSeeds);
  uint64_t failures = 0, commands = 0, stale = 0, stale_requests = 0, recoveries = 0, retransmissions = 0;
  double virtual_seconds = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    CommandsReport r = run_commands(seed);
    commands += r.commands;
    stale += r.stale_handshakes;
    stale_requests += r.stale_requests;
    recoveries += r.recoveries;
    retransmissions += r.retransmissions;
    virtual_seconds += std::chrono::duration<double>(r.virtual_time).count();
    if (r.ok) continue;
    ++failures;
    std::printf("FAILED commands seed %llu: %s\n  replay: KDPCTL_SIM_SEED=%llu ./test_sim -tc='*across commands*'\n",
                static_cast<unsigned long long>(seed), r.failure.c_str(), static_cast<unsigned long long>(seed));
    std::fflush(stdout);
  }
  std::printf("commands: %llu runs, %llu commands in %.0f s virtual, %llu retransmissions, %llu stale REATTACH/CONNECT "
              "of earlier commands executed by the kernel (and %llu of their breakpoint sets/writes), %llu recoveries, %llu failures\n",
              (unsigned long long)count, (unsigned long long)commands, virtual_seconds,
              (unsigned long long)retransmissions, (unsigned long long)stale, (unsigned long long)stale_requests,
              (unsigned long long)recoveries,
              (unsigned long long)failures);
  CHECK(failures == 0);
  if (count >= 1000) {  // the hazards this simulation exists for did happen, and were recovered
    CHECK(stale > 0);
    CHECK(recoveries > 0);
  }
}
