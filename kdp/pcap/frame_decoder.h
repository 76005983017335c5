// Link, IP and UDP headers of one captured frame, decoded field by field with ByteReader (no struct
// overlays). Link types: EN10MB (with any number of 802.1Q / 802.1ad VLAN tags), NULL and LOOP
// (BSD/macOS loopback, either byte order), LINUX_SLL and LINUX_SLL2 (`tcpdump -i any`), RAW, IPV4
// and IPV6. IPv4 and IPv6 (extension headers skipped) carrying UDP; fragments are handed back as
// such for the Reassembler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/pcap/ip_address.h"

namespace kdp::pcap {

// The IP layer of a frame.
struct IpPacket {
  IpAddress source;
  IpAddress destination;
  uint8_t protocol = 0;  // 17 = UDP
  ByteView payload;      // after the IP header(s), cut to the IP length (link padding dropped)
  bool truncated = false;  // the capture holds fewer bytes than the IP length says (snaplen)
  // Fragment fields (IPv4 flags/offset, or an IPv6 Fragment header).
  bool fragment = false;
  uint32_t fragment_id = 0;
  uint32_t fragment_offset = 0;  // bytes
  bool more_fragments = false;
};

struct UdpDatagram {
  SocketAddress source;
  SocketAddress destination;
  ByteView payload;
  bool truncated = false;  // fewer bytes captured than the UDP length says
};

// Why a frame holds no IP packet we read: not an error, just not ours (ARP, IPX, ...).
struct NotIp {
  std::string what;
};

// The IP packet inside a frame of `linktype`, or NotIp; kMalformed when a header we must read is
// cut short or inconsistent.
Expected<std::variant<IpPacket, NotIp>> decode_link(int linktype, ByteView frame);

// The link types decode_link reads.
bool linktype_supported(int linktype);

// IPv4 or IPv6 by the version nibble.
Expected<IpPacket> decode_ip(ByteView bytes);

// The UDP header of a complete (reassembled or unfragmented) IP payload.
Expected<UdpDatagram> decode_udp(const IpPacket& ip, ByteView transport);

// "EN10MB", "LINUX_SLL", "DLT 147"
std::string linktype_name(int linktype);

}  // namespace kdp::pcap
