// How hard the client tries before it gives up on a request (spec §5: LLDB sends 3 copies with a
// fixed 5 s timeout, gdb 10 with 5 s). kdpctl adapts the timeout to the measured round trip
// instead: KDP's kernel replays its cached reply when it sees a retransmission, so a spurious
// retransmission costs one datagram, while a timeout that is too long costs the whole wait.
#pragma once

#include <chrono>

namespace kdp::client {

struct RetryPolicy {
  // RFC 6298-style adaptive retransmission timeout (RTO = SRTT + max(granularity, 4·RTTVAR)),
  // clamped to [min_rto, max_rto]; each retransmission of the same request multiplies it by
  // `backoff` (the estimate itself is kept: backoff restarts with every request), up to
  // `backoff_ceiling` times the measured RTO, so that one unlucky datagram on a fast link costs
  // milliseconds, not the full max_rto. A request fails when its deadline passes (the budget is
  // time, not a count: at a 1 ms RTO eight attempts are over in 0.3 s), or after max_attempts
  // transmissions if that is set.
  std::chrono::milliseconds initial_rto{200};  // before any round trip is measured or remembered
  std::chrono::milliseconds min_rto{1};
  std::chrono::milliseconds max_rto{1000};
  std::chrono::microseconds granularity{1000};  // the timer's resolution (libuv: 1 ms)
  double backoff = 2.0;
  double backoff_ceiling = 16;  // times the RTO, once a round trip was measured
  int max_attempts = 0;         // 0: no count, only the deadline
  std::chrono::milliseconds deadline{10000};  // per request
  // Loss-adaptive redundancy: while more than this fraction of recent round trips needed a
  // retransmission, idempotent requests are sent as two identical copies back to back. The
  // kernel executes the first and replays its cached reply for the second (spec §2.3), so a
  // round trip fails only if both copies or both replies are lost: at 20 % loss each way, 13 %
  // of round trips instead of 36 %. Above 1: never.
  double redundancy_above = 0.10;
};

}  // namespace kdp::client
