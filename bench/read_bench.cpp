// read_bench: reads 1 MiB of kernel memory from kdp-sim (demo snapshot, __TEXT) over loopback UDP
// with added delay and loss, with kdpctl's policy (MAXBYTES-sized reads, adaptive RTO) and with
// the reference client's (LLDB: 512-byte reads, a fixed timeout, 3 attempts). Prints wall time,
// requests and retransmissions per configuration; a program to run and report, not a test.
//
//   read_bench [--delay MS] [--losses 0,0.05,0.2] [--runs N] [--ref-timeout MS] [--size BYTES]
//              [--ablation 1]   (adds kdpctl without loss-adaptive redundancy)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kdp/client/session.h"
#include "kdp/net/udp_transport.h"
#include "tests/client/sim_process.h"

namespace {

using namespace kdp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kText = 0xffffff8000200000ULL;  // the demo kernel's 2 MiB __TEXT

struct Settings {
  double delay_ms = 1;
  std::vector<double> losses = {0, 0.05, 0.20};
  int runs = 3;
  int ref_timeout_ms = 50;  // LLDB's 5 s, scaled down 100x so that a lossy run ends
  uint64_t size = 1 << 20;
  bool ablation = false;
};

struct Policy {
  const char* name;
  uint32_t chunk;  // bytes per read_memory call
  client::RetryPolicy retry;
};

struct Result {
  double seconds = 0;
  uint64_t requests = 0, retransmissions = 0, redundant = 0, failed_reads = 0;
  double srtt_ms = 0, rto_ms = 0;
  bool ok = true;
  std::string error;
};

Policy kdpctl_policy() { return Policy{"kdpctl", 1024, client::RetryPolicy{}}; }

Policy kdpctl_without_redundancy() {
  Policy p = kdpctl_policy();
  p.name = "no-redund";
  p.retry.redundancy_above = 2;
  return p;
}

Policy reference_policy(int timeout_ms) {
  client::RetryPolicy r;
  r.initial_rto = r.min_rto = r.max_rto = std::chrono::milliseconds(timeout_ms);
  r.backoff = 1.0;
  r.max_attempts = 3;
  r.deadline = std::chrono::milliseconds(4 * timeout_ms);
  r.redundancy_above = 2;  // never
  return Policy{"reference", 512, r};
}

// One measured read of `size` bytes. A chunk that fails (the reference policy gives up after 3
// attempts, as LLDB would fail the read) is counted and retried, so the time covers the whole MiB.
Result measure(const std::string& target, const Policy& policy, uint64_t size) {
  Result result;
  client::SessionOptions options;
  options.transport = net::udp_transport_factory();
  options.retry = policy.retry;
  auto session = client::Session::reattach(target, options);
  if (!session) return Result{0, 0, 0, 0, 0, 0, 0, false, session.error().message()};
  client::SessionStats before = (*session)->stats();
  auto started = Clock::now();
  for (uint64_t done = 0; done < size;) {
    uint64_t n = std::min<uint64_t>(policy.chunk, size - done);
    auto bytes = (*session)->read_memory(kText + done, n);
    if (!bytes) {
      if (++result.failed_reads > 1000) return Result{0, 0, 0, 0, 0, 0, 0, false, bytes.error().message()};
      continue;
    }
    done += n;
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  client::SessionStats after = (*session)->stats();
  result.requests = after.requests - before.requests;
  result.retransmissions = after.retransmissions - before.retransmissions;
  result.redundant = after.redundant - before.redundant;
  result.srtt_ms = std::chrono::duration<double, std::milli>(after.srtt).count();
  result.rto_ms = std::chrono::duration<double, std::milli>(after.rto).count();
  (void)(*session)->disconnect();
  return result;
}

Result median(std::vector<Result> results) {
  std::sort(results.begin(), results.end(), [](auto& a, auto& b) { return a.seconds < b.seconds; });
  return results[results.size() / 2];
}

Result run_config(const Settings& s, const Policy& policy, double loss) {
  std::vector<Result> results;
  for (int run = 0; run < s.runs; ++run) {
    char delay[32], loss_text[32], seed[32];
    std::snprintf(delay, sizeof delay, "%g", s.delay_ms);
    std::snprintf(loss_text, sizeof loss_text, "%g", loss);
    std::snprintf(seed, sizeof seed, "%d", 1000 + run);
    auto sim = kdp::sim::SimProcess::start(KDP_SIM_BINARY, {"--delay", delay, "--loss", loss_text, "--seed", seed});
    if (!sim) return Result{0, 0, 0, 0, 0, 0, 0, false, sim.error().message()};
    Result r = measure((*sim)->target(), policy, s.size);
    if (!r.ok) return r;
    results.push_back(r);
  }
  return median(results);
}

std::vector<double> parse_list(const char* text) {
  std::vector<double> out;
  for (const char* p = text; *p != '\0';) {
    char* end = nullptr;
    out.push_back(std::strtod(p, &end));
    p = *end == ',' ? end + 1 : end;
    if (end == p && *p != '\0') break;
  }
  return out;
}

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--delay") s.delay_ms = std::atof(argv[i + 1]);
    if (flag == "--losses") s.losses = parse_list(argv[i + 1]);
    if (flag == "--runs") s.runs = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--ref-timeout") s.ref_timeout_ms = std::atoi(argv[i + 1]);
    if (flag == "--size") s.size = std::strtoull(argv[i + 1], nullptr, 0);
    if (flag == "--ablation") s.ablation = std::atoi(argv[i + 1]) != 0;
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s = parse(argc, argv);
  std::printf("read_bench: %llu bytes from kdp-sim, %g ms added delay each way, median of %d runs;\n"
              "reference = 512-byte reads, fixed %d ms timeout (LLDB's 5 s scaled down), 3 attempts\n\n",
              static_cast<unsigned long long>(s.size), s.delay_ms, s.runs, s.ref_timeout_ms);
  std::printf("%-10s %6s %9s %9s %9s %9s %8s %8s %8s %8s\n", "policy", "loss", "seconds", "requests", "retransm",
              "redundant", "failed", "srtt ms", "rto ms", "vs 0%");
  std::vector<Policy> policies = {kdpctl_policy(), reference_policy(s.ref_timeout_ms)};
  if (s.ablation) policies.insert(policies.begin() + 1, kdpctl_without_redundancy());
  for (const Policy& policy : policies) {
    double lossless = 0;
    for (double loss : s.losses) {
      Result r = run_config(s, policy, loss);
      if (!r.ok) {
        std::printf("%-10s %5.0f%%  error: %s\n", policy.name, loss * 100, r.error.c_str());
        continue;
      }
      if (loss == 0) lossless = r.seconds;
      std::printf("%-10s %5.0f%% %9.2f %9llu %9llu %9llu %8llu %8.2f %8.2f %7.2fx\n", policy.name, loss * 100,
                  r.seconds, static_cast<unsigned long long>(r.requests),
                  static_cast<unsigned long long>(r.retransmissions), static_cast<unsigned long long>(r.redundant),
                  static_cast<unsigned long long>(r.failed_reads), r.srtt_ms, r.rto_ms,
                  lossless > 0 ? r.seconds / lossless : 0.0);
      std::fflush(stdout);
    }
  }
  return 0;
}
