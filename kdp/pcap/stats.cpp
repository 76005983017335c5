#include "kdp/pcap/stats.h"

#include <algorithm>
#include <map>

#include "kdp/wire/codec.h"

namespace kdp::pcap {
namespace {

std::optional<RoundTrips> round_trips(const Capture& capture, const Exchanges& exchanges) {
  std::vector<int64_t> samples;
  for (const Exchange& e : exchanges.exchanges) {
    if (!e.reply || !e.retransmissions.empty()) continue;
    samples.push_back(capture.datagrams[*e.reply].time_ns - capture.datagrams[e.request].time_ns);
  }
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  const int64_t median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return RoundTrips{n, samples.front(), median, samples.back()};
}

void count_notifications(const Exchanges& exchanges, CaptureStats& s) {
  s.acks = exchanges.acks;
  for (const Notification& n : exchanges.notifications) {
    if (n.duplicate) {
      ++s.duplicate_notifications;
      continue;
    }
    ++s.notifications;
  }
  // A notification counts as acked when any copy of it was.
  for (size_t i = 0; i < exchanges.notifications.size(); ++i) {
    const Notification& n = exchanges.notifications[i];
    if (n.duplicate) continue;
    bool acked = n.acked;
    for (size_t j = i + 1; j < exchanges.notifications.size() && exchanges.notifications[j].duplicate; ++j)
      acked = acked || exchanges.notifications[j].acked;
    if (!acked) ++s.unacked_notifications;
  }
}

}  // namespace

CaptureStats compute_stats(const Capture& capture, const Exchanges& exchanges) {
  CaptureStats s;
  s.datagrams = capture.datagrams.size();
  if (!capture.datagrams.empty()) s.duration_ns = capture.datagrams.back().time_ns - capture.datagrams.front().time_ns;
  std::map<uint8_t, CommandCount> by_code;
  for (const Exchange& e : exchanges.exchanges) {
    const uint8_t code = static_cast<uint8_t>(e.request_packet.header.command);
    CommandCount& c = by_code[code];
    c.code = code;
    c.name = wire::command_name(code);
    ++c.requests;
    c.transmissions += 1 + e.retransmissions.size();
    ++s.requests;
    s.transmissions += 1 + e.retransmissions.size();
    s.retransmissions += e.retransmissions.size();
    s.duplicate_replies += e.duplicate_replies.size();
    if (e.reply) {
      ++s.replies;
    } else {
      ++c.unanswered;
      s.unanswered.push_back({capture.datagrams[e.request].number, wire::describe(e.request_packet)});
    }
  }
  for (auto& [code, count] : by_code) s.by_command.push_back(count);
  for (const DatagramRole& role : exchanges.roles) {
    if (role.kind == DatagramRole::kStrayReply) ++s.stray_replies;
    if (role.kind == DatagramRole::kMalformed) ++s.malformed;
  }
  s.rtt = round_trips(capture, exchanges);
  count_notifications(exchanges, s);
  return s;
}

}  // namespace kdp::pcap
