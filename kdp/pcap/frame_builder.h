// Ethernet II frames around a UDP datagram, as kdpctl records them: IPv4 (20-byte header, checksum
// computed, DF clear) or IPv6 (no extension headers), UDP with its checksum. The MAC addresses are
// locally administered stand-ins (02:00:00:00:00:01 for the lower address, ...:02 for the higher):
// a socket does not learn them, and Wireshark only needs them to be consistent.
#pragma once

#include <cstdint>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/pcap/ip_address.h"

namespace kdp::pcap {

struct FrameSpec {
  SocketAddress source;
  SocketAddress destination;
  uint16_t ip_id = 0;  // IPv4 identification
  uint8_t ttl = 64;
};

// Fails (kUsage) when the families differ or the payload does not fit one IP datagram.
Expected<Bytes> build_udp_frame(const FrameSpec& spec, ByteView payload);

// The Internet checksum (RFC 1071) of `bytes` continuing from the running sum `sum`.
uint32_t checksum_add(uint32_t sum, ByteView bytes);
uint16_t checksum_fold(uint32_t sum);

}  // namespace kdp::pcap
