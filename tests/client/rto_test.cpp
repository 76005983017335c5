#include <doctest/doctest.h>

#include "kdp/client/rto_estimator.h"

using namespace kdp;
using namespace kdp::client;
using namespace std::chrono_literals;

namespace {

RetryPolicy policy(Duration min_rto, Duration max_rto) {
  RetryPolicy p;
  p.initial_rto = 200ms;
  p.min_rto = std::chrono::duration_cast<std::chrono::milliseconds>(min_rto);
  p.max_rto = std::chrono::duration_cast<std::chrono::milliseconds>(max_rto);
  p.granularity = 1ms;
  p.backoff = 2.0;
  return p;
}

}  // namespace

TEST_CASE("before any sample the RTO is the initial one") {
  RtoEstimator rto(policy(1ms, 1s));
  CHECK(rto.rto() == 200ms);
  CHECK(!rto.srtt());
}

TEST_CASE("RFC 6298: the first sample sets SRTT = R and RTTVAR = R/2") {
  RtoEstimator rto(policy(1ms, 1s));
  rto.add_sample(10ms);
  CHECK(*rto.srtt() == 10ms);
  CHECK(rto.rttvar() == 5ms);
  CHECK(rto.rto() == 30ms);  // 10 + 4 * 5
  rto.add_sample(18ms);
  CHECK(*rto.srtt() == 11ms);        // 7/8 * 10 + 1/8 * 18
  CHECK(rto.rttvar() == 5750us);     // 3/4 * 5 + 1/4 * 8
  CHECK(rto.rto() == 34ms);          // 11 + 4 * 5.75
}

TEST_CASE("a steady round trip brings the RTO down to SRTT plus the clock granularity") {
  RtoEstimator rto(policy(1ms, 1s));
  for (int i = 0; i < 100; ++i) rto.add_sample(2ms);
  CHECK(*rto.srtt() == 2ms);
  CHECK(rto.rto() == 3ms);
}

TEST_CASE("the RTO is clamped to the floor and the ceiling") {
  RtoEstimator low(policy(5ms, 1s));
  for (int i = 0; i < 50; ++i) low.add_sample(100us);
  CHECK(low.rto() == 5ms);
  RtoEstimator high(policy(1ms, 300ms));
  high.add_sample(2s);
  CHECK(high.rto() == 300ms);
}

TEST_CASE("backoff multiplies per retransmission and stops at the ceiling") {
  RtoEstimator rto(policy(1ms, 100ms));
  rto.add_sample(4ms);  // RTO 12 ms
  CHECK(rto.backed_off(0) == 12ms);
  CHECK(rto.backed_off(1) == 24ms);
  CHECK(rto.backed_off(2) == 48ms);
  CHECK(rto.backed_off(3) == 96ms);
  CHECK(rto.backed_off(4) == 100ms);
  CHECK(rto.backed_off(40) == 100ms);
}

TEST_CASE("once a round trip is known, backoff stops at backoff_ceiling times the RTO") {
  RetryPolicy p = policy(1ms, 1s);
  p.backoff_ceiling = 4;
  RtoEstimator rto(p);
  CHECK(rto.backed_off(6) == 1s);  // nothing measured: only max_rto limits it
  rto.add_sample(1ms);             // RTO 3 ms
  CHECK(rto.backed_off(1) == 6ms);
  CHECK(rto.backed_off(2) == 12ms);
  CHECK(rto.backed_off(3) == 12ms);
  CHECK(rto.backed_off(30) == 12ms);
}

TEST_CASE("a remembered round trip replaces the initial RTO") {
  RtoEstimator rto(policy(1ms, 1s));
  rto.remember(4ms);
  CHECK(*rto.srtt() == 4ms);
  CHECK(rto.rto() == 12ms);  // 4 + 4 * 2, not 200 ms
}
