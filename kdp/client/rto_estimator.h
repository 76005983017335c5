// The retransmission timeout of RFC 6298 §2, fed with round-trip samples of requests that were
// sent exactly once (Karn's rule: a reply to a retransmitted request cannot be attributed to one
// transmission, so it is not a sample).
#pragma once

#include <optional>

#include "kdp/base/endpoint.h"
#include "kdp/client/retry_policy.h"

namespace kdp::client {

class RtoEstimator {
 public:
  explicit RtoEstimator(const RetryPolicy& policy);

  void add_sample(Duration rtt);
  // Starts from a round trip measured by an earlier session against the same target (as Linux's
  // tcp_metrics does): counted as one sample, so the first real ones quickly take over.
  void remember(Duration rtt) { add_sample(rtt); }
  // The timeout for the first transmission of the next request.
  Duration rto() const { return rto_; }
  // The timeout after `retransmissions` retransmissions of one request: rto()·backoff^n, capped
  // at max_rto and, once a round trip is known, at backoff_ceiling·rto().
  Duration backed_off(int retransmissions) const;
  std::optional<Duration> srtt() const { return srtt_; }
  Duration rttvar() const { return rttvar_; }

 private:
  Duration clamp(Duration d) const;

  Duration min_, max_, granularity_;
  double backoff_;
  double ceiling_;
  std::optional<Duration> srtt_;
  Duration rttvar_{0};
  Duration rto_;
};

}  // namespace kdp::client
