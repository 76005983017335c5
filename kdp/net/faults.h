// Network fault injection shared by kdp-sim and the deterministic simulation tests: for every
// datagram it decides whether it is lost, duplicated, delayed or reordered, from one seed.
// Decisions depend only on the seed and the sequence of calls, never on the platform: the random
// source is std::mt19937_64 (its output is fixed by the standard) and probabilities are derived
// from its raw bits here rather than through std::uniform_real_distribution (whose algorithm is
// implementation-defined).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "kdp/base/endpoint.h"
#include "kdp/base/error.h"

namespace kdp::net {

struct FaultConfig {
  double loss = 0;     // probability a datagram is dropped
  double dup = 0;      // probability a delivered datagram arrives twice
  double reorder = 0;  // probability a copy is held back so that later datagrams overtake it
  Duration delay{0};   // fixed one-way delay
  Duration jitter{0};  // extra delay drawn uniformly from [0, jitter) per copy
  uint64_t seed = 1;
  // How long a reordered copy is held back beyond its normal delay (plus one more jitter span).
  Duration reorder_delay = std::chrono::milliseconds(20);
};

// Probabilities in [0, 1], non-negative durations.
Status validate(const FaultConfig& config);

struct FaultStats {
  uint64_t datagrams = 0;   // datagrams offered
  uint64_t lost = 0;
  uint64_t duplicated = 0;  // datagrams delivered twice
  uint64_t reordered = 0;   // copies held back
  uint64_t delivered = 0;   // copies scheduled (datagrams - lost + duplicated)
};

class FaultInjector {
 public:
  explicit FaultInjector(FaultConfig config);

  // Delivery times for one datagram sent at `now`, ascending: empty = lost, two entries =
  // duplicated; a reordered copy gets extra delay so later ones overtake it.
  std::vector<Time> deliveries(Time now);

  const FaultStats& stats() const { return stats_; }
  const FaultConfig& config() const { return config_; }

 private:
  double uniform();                  // [0, 1) from the top 53 bits of one draw
  bool chance(double probability);   // exactly one draw, whatever the probability
  Time delivery_time(Time now);

  FaultConfig config_;
  std::mt19937_64 rng_;
  FaultStats stats_;
};

}  // namespace kdp::net
