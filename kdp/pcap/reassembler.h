// IP fragment reassembly (RFC 791 / RFC 8200) for captures: fragments of one datagram are keyed by
// (source, destination, protocol, identification) and joined once the last fragment is in and
// nothing is missing. Overlapping fragments keep the first copy of each byte. Bounded: a datagram
// may not exceed 64 KiB and at most kMaxPending datagrams wait at once (the oldest is given up).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/pcap/frame_decoder.h"

namespace kdp::pcap {

class Reassembler {
 public:
  static constexpr size_t kMaxPending = 256;
  static constexpr uint32_t kMaxDatagram = 65535;

  struct Done {
    Bytes payload;            // the whole IP payload (UDP header first)
    uint64_t first_number;    // capture packet number of the earliest fragment
  };

  // Adds one fragment (ip.fragment must be set); returns the datagram when it is complete.
  // kMalformed for a fragment that would end beyond 64 KiB.
  Expected<std::optional<Done>> add(const IpPacket& ip, uint64_t packet_number);

  // Datagrams still missing pieces, e.g. "127.0.0.1 -> 127.0.0.1 id 0x1c46 (first fragment in packet 4)".
  std::vector<std::string> incomplete() const;
  uint64_t abandoned() const { return abandoned_; }

 private:
  using Key = std::tuple<IpAddress, IpAddress, uint8_t, uint32_t>;
  struct Pending {
    Bytes bytes;
    std::vector<bool> have;
    std::optional<uint32_t> total;  // known once the last fragment arrived
    uint64_t first_number = 0;
    uint64_t order = 0;
  };
  static bool complete(const Pending& p);

  std::map<Key, Pending> pending_;
  uint64_t next_order_ = 0;
  uint64_t abandoned_ = 0;
};

}  // namespace kdp::pcap
