#include "kdp/client/rto_estimator.h"

#include <algorithm>

namespace kdp::client {

RtoEstimator::RtoEstimator(const RetryPolicy& policy)
    : min_(policy.min_rto),
      max_(std::max<Duration>(policy.max_rto, policy.min_rto)),
      granularity_(policy.granularity),
      backoff_(std::max(policy.backoff, 1.0)),
      ceiling_(std::max(policy.backoff_ceiling, 1.0)),
      rto_(clamp(policy.initial_rto)) {}

Duration RtoEstimator::clamp(Duration d) const { return std::clamp(d, min_, max_); }

void RtoEstimator::add_sample(Duration rtt) {
  if (rtt < Duration::zero()) return;
  if (!srtt_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
  } else {
    // RFC 6298 (2.3) with alpha = 1/8, beta = 1/4; RTTVAR is updated with the old SRTT.
    Duration error = *srtt_ > rtt ? *srtt_ - rtt : rtt - *srtt_;
    rttvar_ = (3 * rttvar_ + error) / 4;
    srtt_ = (7 * *srtt_ + rtt) / 8;
  }
  rto_ = clamp(*srtt_ + std::max(granularity_, 4 * rttvar_));
}

Duration RtoEstimator::backed_off(int retransmissions) const {
  Duration cap = max_;
  if (srtt_) cap = std::min(cap, Duration(static_cast<Duration::rep>(ceiling_ * static_cast<double>(rto_.count()))));
  cap = std::max(cap, rto_);
  double factor = 1.0;
  for (int i = 0; i < retransmissions && factor * rto_.count() < cap.count(); ++i) factor *= backoff_;
  auto scaled = Duration(static_cast<Duration::rep>(factor * static_cast<double>(rto_.count())));
  return std::min(scaled, cap);
}

}  // namespace kdp::client
