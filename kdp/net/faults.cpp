#include "kdp/net/faults.h"

#include <algorithm>
#include <string>

namespace kdp::net {
namespace {

Status check_probability(double p, const char* name) {
  if (!(p >= 0.0 && p <= 1.0))  // also rejects NaN
    return usage_error(std::string(name) + " must be a probability between 0 and 1, got " +
                       std::to_string(p));
  return {};
}

Status check_duration(Duration d, const char* name) {
  if (d < Duration::zero())
    return usage_error(std::string(name) + " must not be negative");
  return {};
}

}  // namespace

Status validate(const FaultConfig& config) {
  KDP_TRY_STATUS(check_probability(config.loss, "loss"));
  KDP_TRY_STATUS(check_probability(config.dup, "dup"));
  KDP_TRY_STATUS(check_probability(config.reorder, "reorder"));
  KDP_TRY_STATUS(check_duration(config.delay, "delay"));
  KDP_TRY_STATUS(check_duration(config.jitter, "jitter"));
  KDP_TRY_STATUS(check_duration(config.reorder_delay, "reorder delay"));
  return {};
}

FaultInjector::FaultInjector(FaultConfig config) : config_(config), rng_(config.seed) {}

double FaultInjector::uniform() {
  // 53 random bits scaled by 2^-53: exactly representable, uniform on [0, 1).
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

bool FaultInjector::chance(double probability) { return uniform() < probability; }

Time FaultInjector::delivery_time(Time now) {
  auto jitter = Duration(static_cast<int64_t>(uniform() * static_cast<double>(config_.jitter.count())));
  Time at = now + config_.delay + jitter;
  if (chance(config_.reorder)) {
    ++stats_.reordered;
    at += config_.reorder_delay + config_.jitter;
  }
  return at;
}

std::vector<Time> FaultInjector::deliveries(Time now) {
  ++stats_.datagrams;
  std::vector<Time> out;
  if (chance(config_.loss)) {
    ++stats_.lost;
    return out;
  }
  out.push_back(delivery_time(now));
  if (chance(config_.dup)) {
    ++stats_.duplicated;
    out.push_back(delivery_time(now));
  }
  std::sort(out.begin(), out.end());
  stats_.delivered += out.size();
  return out;
}

}  // namespace kdp::net
