// Pairs the KDP datagrams of a capture into exchanges, the unit both `pcap stats` and the replay
// builder work with. Rules (spec §2.3, §4.8, §11):
//   - a request is a datagram to the target without the reply bit; one identical to one of the
//     last 16 requests is a retransmission of it, not a new request (clients may keep a resync
//     copy in flight next to the original);
//   - a reply (from the target, reply bit) answers the latest request with the same code and seq;
//     further copies of it are duplicates (a network duplicate or the kernel's cached-reply
//     replay after a retransmission);
//   - a KDP_EXCEPTION or KDP_TERMINATION from the target is a notification; its seq counts in its
//     own space and a repeated one is a duplicate; an ack goes to the target with the reply bit.
// Datagrams that do not decode are kept, as `malformed`, and take part in nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/pcap/capture.h"
#include "kdp/wire/packet.h"

namespace kdp::pcap {

struct Exchange {
  size_t request = 0;                  // index into Capture::datagrams (first transmission)
  wire::Packet request_packet;
  std::vector<size_t> retransmissions;  // indexes of the identical re-sends
  std::optional<size_t> reply;          // first reply
  std::optional<wire::Packet> reply_packet;
  std::vector<size_t> duplicate_replies;
};

struct Notification {
  size_t index = 0;
  wire::Packet packet;
  bool duplicate = false;  // same seq and bytes as the previous notification
  bool acked = false;      // an ack with its seq followed
};

struct DatagramRole {
  enum Kind { kRequest, kRetransmission, kReply, kDuplicateReply, kStrayReply, kNotification, kAck, kMalformed };
  Kind kind = kMalformed;
  std::optional<wire::Packet> packet;  // decoded (acks: nullopt when decode() rejects LLDB's len)
  std::string error;                   // for kMalformed
};

struct Exchanges {
  std::vector<Exchange> exchanges;           // in order of first transmission
  std::vector<Notification> notifications;
  std::vector<DatagramRole> roles;           // one per datagram
  uint64_t acks = 0;
};

Exchanges pair_exchanges(const Capture& capture);

}  // namespace kdp::pcap
