// What `kdpctl pcap stats` reports about a capture: requests by type, retransmissions,
// duplicates, unanswered requests, round-trip times and exception notifications.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/pcap/capture.h"
#include "kdp/pcap/exchange.h"

namespace kdp::pcap {

struct CommandCount {
  uint8_t code = 0;
  std::string name;            // "KDP_READMEM64"
  uint64_t requests = 0;       // distinct requests
  uint64_t transmissions = 0;  // requests + retransmissions
  uint64_t unanswered = 0;
};

struct RoundTrips {
  uint64_t samples = 0;  // requests answered without a retransmission (Karn's rule)
  int64_t min_ns = 0;
  int64_t median_ns = 0;  // the mean of the two middle samples for an even count
  int64_t max_ns = 0;
};

struct Unanswered {
  uint64_t number = 0;  // capture packet number of the request
  std::string description;
};

struct CaptureStats {
  uint64_t datagrams = 0;
  uint64_t requests = 0;
  uint64_t transmissions = 0;
  uint64_t retransmissions = 0;
  uint64_t replies = 0;
  uint64_t duplicate_replies = 0;
  uint64_t stray_replies = 0;      // answer no request in the capture
  uint64_t malformed = 0;
  std::vector<CommandCount> by_command;  // by code
  std::vector<Unanswered> unanswered;
  std::optional<RoundTrips> rtt;
  uint64_t notifications = 0;             // distinct exception/termination notifications
  uint64_t duplicate_notifications = 0;
  uint64_t unacked_notifications = 0;
  uint64_t acks = 0;
  int64_t duration_ns = 0;  // first to last KDP datagram
};

CaptureStats compute_stats(const Capture& capture, const Exchanges& exchanges);

}  // namespace kdp::pcap
