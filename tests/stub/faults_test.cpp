#include <doctest/doctest.h>

#include <random>

#include "kdp/net/faults.h"

using namespace kdp;
using namespace kdp::net;
using namespace std::chrono_literals;

TEST_CASE("std::mt19937_64 is the standard's generator (the basis of seed reproducibility)") {
  std::mt19937_64 rng;  // default seed 5489: the 10000th output is fixed by [rand.predef]
  rng.discard(9999);
  CHECK(rng() == 9981545732273789042ULL);
}

TEST_CASE("no faults: every datagram is delivered once after the fixed delay") {
  FaultInjector f(FaultConfig{0, 0, 0, 5ms, 0ms, 1});
  for (int i = 0; i < 100; ++i) CHECK(f.deliveries(Time(i * 1ms)) == std::vector<Time>{Time(i * 1ms) + 5ms});
  CHECK(f.stats().datagrams == 100);
  CHECK(f.stats().delivered == 100);
  CHECK(f.stats().lost == 0);
}

TEST_CASE("probability 1 loses, duplicates or reorders every datagram") {
  FaultInjector lose(FaultConfig{1, 0, 0});
  CHECK(lose.deliveries(Time(0)).empty());
  FaultInjector dup(FaultConfig{0, 1, 0, 1ms});
  CHECK(dup.deliveries(Time(0)) == std::vector<Time>{Time(1ms), Time(1ms)});
  FaultInjector reorder(FaultConfig{0, 0, 1, 1ms});
  auto held = reorder.deliveries(Time(0));
  REQUIRE(held.size() == 1);
  CHECK(held[0] == Time(1ms) + reorder.config().reorder_delay);
  CHECK(reorder.stats().reordered == 1);
}

TEST_CASE("a seed reproduces the same decisions; rates follow the probabilities") {
  FaultConfig config{0.2, 0.1, 0.1, 2ms, 3ms, 42};
  FaultInjector a(config), b(config);
  std::vector<std::vector<Time>> first, second;
  for (int i = 0; i < 5000; ++i) {
    first.push_back(a.deliveries(Time(i * 1ms)));
    second.push_back(b.deliveries(Time(i * 1ms)));
  }
  CHECK(first == second);
  const FaultStats& s = a.stats();
  CHECK(s.lost > 800);
  CHECK(s.lost < 1200);
  CHECK(s.duplicated > 250);
  CHECK(s.duplicated < 550);
  CHECK(s.delivered == s.datagrams - s.lost + s.duplicated);
  for (size_t i = 0; i < first.size(); ++i)
    for (Time t : first[i]) {
      CHECK(t >= Time(static_cast<int64_t>(i) * 1ms) + 2ms);
      CHECK(t < Time(static_cast<int64_t>(i) * 1ms) + 2ms + 3ms + config.reorder_delay + 3ms);
    }
  config.seed = 43;
  FaultInjector c(config);
  std::vector<std::vector<Time>> third;
  for (int i = 0; i < 5000; ++i) third.push_back(c.deliveries(Time(i * 1ms)));
  CHECK(third != first);
}

TEST_CASE("validate rejects probabilities outside [0, 1] and negative durations") {
  CHECK(validate(FaultConfig{}));
  CHECK_FALSE(validate(FaultConfig{1.5}));
  CHECK_FALSE(validate(FaultConfig{0, -0.1}));
  CHECK_FALSE(validate(FaultConfig{0, 0, std::nan("")}));
  CHECK(validate(FaultConfig{0, 0, 0, -1ms}).error().message() == "delay must not be negative");
}
