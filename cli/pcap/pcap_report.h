// Text and JSON for `kdpctl pcap decode` and `kdpctl pcap stats` (cli/commands/cmd_pcap.cpp).
#pragma once

#include <string>

#include "kdp/pcap/capture.h"
#include "kdp/pcap/exchange.h"
#include "kdp/pcap/stats.h"

namespace kdp::cli {

// "0.004211": seconds since the first KDP datagram, microsecond resolution.
std::string relative_time(int64_t ns, int64_t origin_ns);
// "request", "retransmission", "reply", "duplicate reply", ...
std::string role_name(pcap::DatagramRole::Kind kind);

// One line per KDP datagram: number, time, addresses, "-->"/"<--" and the -v description.
std::string decode_text(const pcap::Capture& capture, const pcap::Exchanges& exchanges);
std::string decode_json(const pcap::Capture& capture, const pcap::Exchanges& exchanges);

std::string stats_text(const pcap::Capture& capture, const pcap::CaptureStats& stats);
std::string stats_json(const pcap::Capture& capture, const pcap::CaptureStats& stats);

}  // namespace kdp::cli
