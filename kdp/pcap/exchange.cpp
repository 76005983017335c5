#include "kdp/pcap/exchange.h"

#include <algorithm>
#include <map>

#include "kdp/wire/codec.h"

namespace kdp::pcap {
namespace {

using Key = std::pair<uint8_t, uint8_t>;  // (code, seq)

bool is_notification(wire::Command c) { return c == wire::Command::kException || c == wire::Command::kTermination; }

class Pairing {
 public:
  explicit Pairing(const Capture& capture) : capture_(capture) { out_.roles.resize(capture.datagrams.size()); }

  Exchanges run() {
    for (size_t i = 0; i < capture_.datagrams.size(); ++i) classify(i);
    return std::move(out_);
  }

 private:
  void classify(size_t i) {
    const KdpDatagram& d = capture_.datagrams[i];
    DatagramRole& role = out_.roles[i];
    auto header = wire::decode_header(d.payload);
    if (!header) return malformed(role, header.error());
    const bool to_target = d.direction == Direction::kToTarget;
    if (to_target && header->is_reply && header->command == wire::Command::kException) return ack(i, *header);
    auto packet = wire::decode(d.payload);
    if (!packet) return malformed(role, packet.error());
    role.packet = *packet;
    if (to_target && !header->is_reply) return request(i, std::move(*packet));
    if (!to_target && header->is_reply) return reply(i, std::move(*packet));
    if (!to_target && is_notification(header->command)) return notification(i, std::move(*packet));
    role.kind = DatagramRole::kMalformed;
    role.error = to_target ? "a reply sent to the target" : "a request sent by the target";
  }

  void malformed(DatagramRole& role, const Error& error) {
    role.kind = DatagramRole::kMalformed;
    role.error = error.message();
  }

  // A client may keep several requests in flight (a resync copy under another seq next to the
  // original): a datagram identical to any of the last few requests re-sends that one.
  static constexpr size_t kResendWindow = 16;

  void request(size_t i, wire::Packet packet) {
    const Key key{static_cast<uint8_t>(packet.header.command), packet.header.seq};
    const size_t n = out_.exchanges.size();
    for (size_t back = 1; back <= std::min(n, kResendWindow); ++back) {
      Exchange& earlier = out_.exchanges[n - back];
      if (capture_.datagrams[earlier.request].payload != capture_.datagrams[i].payload) continue;
      earlier.retransmissions.push_back(i);
      out_.roles[i].kind = DatagramRole::kRetransmission;
      return;
    }
    out_.roles[i].kind = DatagramRole::kRequest;
    latest_[key] = out_.exchanges.size();
    out_.exchanges.push_back(Exchange{i, std::move(packet), {}, {}, {}, {}});
  }

  void reply(size_t i, wire::Packet packet) {
    const Key key{static_cast<uint8_t>(packet.header.command), packet.header.seq};
    auto it = latest_.find(key);
    if (it == latest_.end()) {
      out_.roles[i].kind = DatagramRole::kStrayReply;
      return;
    }
    Exchange& e = out_.exchanges[it->second];
    if (e.reply) {
      e.duplicate_replies.push_back(i);
      out_.roles[i].kind = DatagramRole::kDuplicateReply;
      return;
    }
    e.reply = i;
    e.reply_packet = std::move(packet);
    out_.roles[i].kind = DatagramRole::kReply;
  }

  void notification(size_t i, wire::Packet packet) {
    bool duplicate = false;
    if (!out_.notifications.empty()) {
      const Notification& last = out_.notifications.back();
      duplicate = capture_.datagrams[last.index].payload == capture_.datagrams[i].payload;
    }
    out_.roles[i].kind = DatagramRole::kNotification;
    out_.notifications.push_back(Notification{i, std::move(packet), duplicate, false});
  }

  // The kernel does not check an ack's len (LLDB sends 28 on an 8-byte ack): route by header.
  void ack(size_t i, const wire::Header& header) {
    DatagramRole& role = out_.roles[i];
    role.kind = DatagramRole::kAck;
    if (auto packet = wire::decode(capture_.datagrams[i].payload)) role.packet = *packet;
    ++out_.acks;
    for (auto it = out_.notifications.rbegin(); it != out_.notifications.rend(); ++it) {
      if (it->packet.header.seq != header.seq) continue;
      it->acked = true;
      break;
    }
  }

  const Capture& capture_;
  Exchanges out_;
  std::map<Key, size_t> latest_;
};

}  // namespace

Exchanges pair_exchanges(const Capture& capture) { return Pairing(capture).run(); }

}  // namespace kdp::pcap
