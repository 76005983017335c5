#include "cli/pcap/pcap_report.h"

#include <cstdio>

#include "kdp/base/json.h"
#include "kdp/wire/codec.h"

namespace kdp::cli {
namespace {

int64_t origin(const pcap::Capture& capture) {
  return capture.datagrams.empty() ? 0 : capture.datagrams.front().time_ns;
}

std::string arrow(pcap::Direction d) { return d == pcap::Direction::kToTarget ? "-->" : "<--"; }

// Roles worth a tag after the description; first requests and replies are the normal case.
std::string role_tag(pcap::DatagramRole::Kind kind) {
  using K = pcap::DatagramRole::Kind;
  switch (kind) {
    case K::kRetransmission: return "  [retransmission]";
    case K::kDuplicateReply: return "  [duplicate reply]";
    case K::kStrayReply: return "  [reply to no request in the capture]";
    default: return "";
  }
}

std::string milliseconds(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(ns) / 1e6);
  return buf;
}

void summary_json(JsonWriter& j, const pcap::Capture& capture) {
  const pcap::CaptureSummary& s = capture.summary;
  j.key("capture").begin_object().field("file", capture.name).field("linktype", capture.linktype);
  j.field("kdp_port", s.kdp_port);
  j.field("frames", s.frames).field("kdp_datagrams", s.kdp).field("not_ip", s.not_ip).field("not_kdp", s.not_kdp);
  j.field("reassembled", s.reassembled).field("cut_by_snaplen", s.snaplen_cut).key("notes").begin_array();
  for (const std::string& note : s.notes) j.value(note);
  j.end_array().end_object();
}

}  // namespace

std::string relative_time(int64_t ns, int64_t origin_ns) {
  const int64_t us = (ns - origin_ns) / 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%lld.%06lld", us < 0 ? "-" : "", static_cast<long long>((us < 0 ? -us : us) / 1000000),
                static_cast<long long>((us < 0 ? -us : us) % 1000000));
  return buf;
}

std::string role_name(pcap::DatagramRole::Kind kind) {
  using K = pcap::DatagramRole::Kind;
  switch (kind) {
    case K::kRequest: return "request";
    case K::kRetransmission: return "retransmission";
    case K::kReply: return "reply";
    case K::kDuplicateReply: return "duplicate reply";
    case K::kStrayReply: return "stray reply";
    case K::kNotification: return "notification";
    case K::kAck: return "ack";
    case K::kMalformed: return "malformed";
  }
  return "malformed";
}

std::string decode_text(const pcap::Capture& capture, const pcap::Exchanges& exchanges) {
  std::string out;
  const int64_t t0 = origin(capture);
  for (size_t i = 0; i < capture.datagrams.size(); ++i) {
    const pcap::KdpDatagram& d = capture.datagrams[i];
    out += std::to_string(d.number) + "  " + relative_time(d.time_ns, t0) + "  " + to_string(d.source) + " -> " +
           to_string(d.destination) + "  " + arrow(d.direction) + " " + wire::describe_datagram(d.payload) +
           role_tag(exchanges.roles[i].kind) + "\n";
  }
  for (const std::string& note : capture.summary.notes) out += "note: " + note + "\n";
  return out;
}

std::string decode_json(const pcap::Capture& capture, const pcap::Exchanges& exchanges) {
  JsonWriter j;
  j.begin_object();
  summary_json(j, capture);
  j.key("packets").begin_array();
  const int64_t t0 = origin(capture);
  for (size_t i = 0; i < capture.datagrams.size(); ++i) {
    const pcap::KdpDatagram& d = capture.datagrams[i];
    j.begin_object().field("number", d.number).field("file_offset", d.file_offset);
    j.field("time", relative_time(d.time_ns, t0)).field("time_ns", d.time_ns);
    j.field("source", to_string(d.source)).field("destination", to_string(d.destination));
    j.field("direction", d.direction == pcap::Direction::kToTarget ? "to_target" : "from_target");
    j.field("role", role_name(exchanges.roles[i].kind)).field("bytes", d.payload.size());
    if (auto h = wire::decode_header(d.payload)) {
      j.field("code", static_cast<unsigned>(h->command)).field("command", wire::command_name(h->command));
      j.field("is_reply", h->is_reply).field("seq", h->seq).field("len", h->len).field("key", h->key);
    }
    j.field("description", wire::describe_datagram(d.payload)).end_object();
  }
  j.end_array().end_object();
  return j.str() + "\n";
}

std::string stats_text(const pcap::Capture& capture, const pcap::CaptureStats& s) {
  const pcap::CaptureSummary& c = capture.summary;
  std::string out = "capture: " + capture.name + " (" + capture.linktype + "), " + std::to_string(c.frames) +
                    " frames, " + std::to_string(s.datagrams) + " KDP datagrams over " +
                    relative_time(s.duration_ns, 0) + " s\n";
  out += "requests: " + std::to_string(s.requests) + " (" + std::to_string(s.transmissions) + " transmissions, " +
         std::to_string(s.retransmissions) + " retransmissions)\n";
  for (const pcap::CommandCount& cc : s.by_command) {
    std::string name = cc.name;
    name.resize(std::max<size_t>(name.size() + 1, 26), ' ');
    out += "  " + name + std::to_string(cc.requests) + " requests, " + std::to_string(cc.transmissions) +
           " transmissions" + (cc.unanswered ? ", " + std::to_string(cc.unanswered) + " unanswered" : "") + "\n";
  }
  out += "replies: " + std::to_string(s.replies) + ", duplicate replies: " + std::to_string(s.duplicate_replies) +
         ", stray replies: " + std::to_string(s.stray_replies) + "\n";
  out += "unanswered requests: " + std::to_string(s.unanswered.size()) + "\n";
  for (const pcap::Unanswered& u : s.unanswered) out += "  packet " + std::to_string(u.number) + ": " + u.description + "\n";
  if (s.rtt)
    out += "round trip: min " + milliseconds(s.rtt->min_ns) + ", median " + milliseconds(s.rtt->median_ns) + ", max " +
           milliseconds(s.rtt->max_ns) + " (" + std::to_string(s.rtt->samples) + " requests answered first time)\n";
  else
    out += "round trip: no request answered without a retransmission\n";
  out += "exception notifications: " + std::to_string(s.notifications) + " (" +
         std::to_string(s.duplicate_notifications) + " duplicates, " + std::to_string(s.unacked_notifications) +
         " unacknowledged), acks: " + std::to_string(s.acks) + "\n";
  out += "malformed datagrams: " + std::to_string(s.malformed) + "\n";
  for (const std::string& note : c.notes) out += "note: " + note + "\n";
  return out;
}

std::string stats_json(const pcap::Capture& capture, const pcap::CaptureStats& s) {
  JsonWriter j;
  j.begin_object();
  summary_json(j, capture);
  j.field("datagrams", s.datagrams).field("duration_ns", s.duration_ns).field("requests", s.requests);
  j.field("transmissions", s.transmissions).field("retransmissions", s.retransmissions);
  j.key("by_command").begin_array();
  for (const pcap::CommandCount& cc : s.by_command)
    j.begin_object().field("code", cc.code).field("command", cc.name).field("requests", cc.requests)
        .field("transmissions", cc.transmissions).field("unanswered", cc.unanswered).end_object();
  j.end_array().field("replies", s.replies).field("duplicate_replies", s.duplicate_replies);
  j.field("stray_replies", s.stray_replies).key("unanswered").begin_array();
  for (const pcap::Unanswered& u : s.unanswered)
    j.begin_object().field("number", u.number).field("description", u.description).end_object();
  j.end_array().key("rtt");
  if (s.rtt)
    j.begin_object().field("samples", s.rtt->samples).field("min_ns", s.rtt->min_ns)
        .field("median_ns", s.rtt->median_ns).field("max_ns", s.rtt->max_ns).end_object();
  else
    j.null();
  j.field("notifications", s.notifications).field("duplicate_notifications", s.duplicate_notifications);
  j.field("unacked_notifications", s.unacked_notifications).field("acks", s.acks).field("malformed", s.malformed);
  return j.end_object().str() + "\n";
}

}  // namespace kdp::cli
