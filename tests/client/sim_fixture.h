// A simulated kernel for the client's tests: a text region (never containing 0xCC), an unmapped
// page after it, a data region, registers whose RIP sits on an execution path through the text,
// and helpers that open real KdpSessions over a SimWorld.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/client/kdp_session.h"
#include "sim_world.h"

namespace kdp::sim {

inline constexpr uint64_t kText = 0xffffff8000200000ULL;
inline constexpr uint64_t kTextSize = 0x10000;
inline constexpr uint64_t kHole = kText + kTextSize;  // one unmapped page
inline constexpr uint64_t kData = kHole + 0x1000;
inline constexpr uint64_t kDataSize = 0x4000;

inline stub::Memory sim_memory(uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes text(kTextSize), data(kDataSize);
  for (auto& b : text) {
    b = static_cast<uint8_t>(rng());
    if (b == 0xcc) b = 0x90;  // an int3 in the text would be an unplanned breakpoint
  }
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  stub::Memory memory;
  (void)memory.map(kText, kTextSize, text);
  (void)memory.map(kData, kDataSize, data);
  return memory;
}

// Strictly increasing addresses in the text, at least 2 bytes apart, so that "RIP - 1 is a
// breakpoint" can only mean the int3 there was executed.
inline std::vector<uint64_t> sim_path(std::mt19937_64& rng, size_t length) {
  std::vector<uint64_t> path;
  uint64_t at = kText + 0x100;
  for (size_t i = 0; i < length; ++i) {
    path.push_back(at);
    at += 2 + rng() % 14;
  }
  return path;
}

inline wire::X86ThreadState64 sim_registers(uint64_t rip) {
  wire::X86ThreadState64 r;
  for (size_t i = 0; i < r.regs.size(); ++i) r.regs[i] = 0x1000 * (i + 1);
  r.rip() = rip;
  r.rflags() = 0x246;
  return r;
}

struct KernelSpec {
  uint64_t memory_seed = 7;
  bool kernel_breakpoints = true;
  bool bad_access_errors = false;
  size_t path_length = 24;
  Duration step = std::chrono::milliseconds(1);
  std::optional<Duration> stop_after;
  uint64_t path_seed = 11;
};

struct SimKernel {
  stub::StubEngine engine;
  std::vector<uint64_t> path;
};

inline SimKernel make_kernel(const KernelSpec& spec) {
  std::mt19937_64 rng(spec.path_seed);
  std::vector<uint64_t> path = sim_path(rng, spec.path_length);
  stub::TargetConfig config;
  config.feature = spec.kernel_breakpoints ? wire::kFeatureBreakpoints : 0;
  config.bad_access_errors = spec.bad_access_errors;
  stub::ExecutionScript script{path, true, spec.step, spec.stop_after};
  return SimKernel{stub::StubEngine(config, sim_memory(spec.memory_seed), sim_registers(path.front()), script),
                   path};
}

// Collects a session's -v lines (SessionOptions::packet_log) for checks on what it said.
struct PacketTrace {
  std::vector<std::string> lines;
  std::function<void(std::string_view)> sink() {
    return [this](std::string_view line) { lines.emplace_back(line); };
  }
  bool mentions(std::string_view part) const {
    for (const std::string& l : lines)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
  // The last `n` lines, for a failure message.
  std::string tail(size_t n = 30) const {
    std::string text;
    for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) text += lines[i] + "\n";
    return text;
  }
};

// Generous retries: in virtual time they cost nothing, and the simulation demands that every
// operation succeeds unless another debugger interfered.
inline client::RetryPolicy sim_policy() {
  client::RetryPolicy p;
  p.initial_rto = std::chrono::milliseconds(50);
  p.min_rto = std::chrono::milliseconds(1);
  p.max_rto = std::chrono::milliseconds(400);
  p.granularity = std::chrono::microseconds(100);
  p.max_attempts = 0;  // the deadline decides
  p.deadline = std::chrono::milliseconds(60000);
  return p;
}

inline Expected<std::unique_ptr<client::Session>> open_sim_session(
    SimWorld& world, uint16_t port, uint32_t first_key,
    client::AttachMode mode = client::AttachMode::kReattach, client::RetryPolicy policy = sim_policy(),
    std::function<void(std::string_view)> trace = {}, std::chrono::milliseconds retake_window = {},
    std::optional<std::chrono::nanoseconds> remembered_rtt = {}, std::optional<client::ResumePoint> resume = {}) {
  client::SessionOptions options;
  options.remembered_rtt = remembered_rtt;
  options.resume = std::move(resume);
  options.retry = policy;
  options.retake_window = retake_window;
  options.packet_log = std::move(trace);
  client::SessionSetup setup{"sim", kKernel, std::move(options), first_key};
  return client::open_session(world.attach(port), std::move(setup), mode);
}

}  // namespace kdp::sim
