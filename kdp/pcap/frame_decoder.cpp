#include "kdp/pcap/frame_decoder.h"

#include <pcap/pcap.h>

namespace kdp::pcap {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr int kMaxVlanTags = 8;        // more than any real network stacks
constexpr int kMaxIpv6Extensions = 16;  // bounds a hostile chain

using LinkResult = Expected<std::variant<IpPacket, NotIp>>;

LinkResult ip_or_not(uint16_t ethertype, ByteView payload) {
  if (ethertype != kEtherIpv4 && ethertype != kEtherIpv6) return {NotIp{"ethertype " + hex(ethertype)}};
  KDP_TRY(IpPacket ip, decode_ip(payload));
  return {std::move(ip)};
}

LinkResult decode_ethernet(ByteView frame) {
  ByteReader r(frame, "Ethernet header");
  KDP_TRY_STATUS(r.skip(12, "MAC addresses"));
  KDP_TRY(uint16_t type, r.u16be("ethertype"));
  for (int tags = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; ++tags) {
    if (tags == kMaxVlanTags) return malformed("Ethernet header: more than 8 VLAN tags");
    KDP_TRY_STATUS(r.skip(2, "VLAN tag"));
    KDP_TRY(type, r.u16be("ethertype after VLAN tag"));
  }
  if (type < 0x0600) return {NotIp{"802.3 frame"}};
  return ip_or_not(type, r.rest());
}

// BSD loopback: the address family in the capturing host's byte order (NULL) or in network
// order (LOOP); accept either, as Wireshark does.
LinkResult decode_loopback(ByteView frame) {
  ByteReader r(frame, "loopback header");
  KDP_TRY(uint32_t le, r.u32("address family"));
  const uint32_t be = (le >> 24) | ((le >> 8) & 0xff00) | ((le << 8) & 0xff0000) | (le << 24);
  auto is = [&](uint32_t family) { return le == family || be == family; };
  if (is(2)) return ip_or_not(kEtherIpv4, r.rest());
  if (is(24) || is(28) || is(30) || is(10)) return ip_or_not(kEtherIpv6, r.rest());  // BSDs, macOS, Linux
  return {NotIp{"loopback family " + std::to_string(le)}};
}

LinkResult decode_sll(ByteView frame) {
  ByteReader r(frame, "Linux cooked header");
  KDP_TRY_STATUS(r.skip(14, "packet type, address type and address"));
  KDP_TRY(uint16_t protocol, r.u16be("protocol"));
  return ip_or_not(protocol, r.rest());
}

LinkResult decode_sll2(ByteView frame) {
  ByteReader r(frame, "Linux cooked v2 header");
  KDP_TRY(uint16_t protocol, r.u16be("protocol"));
  KDP_TRY_STATUS(r.skip(18, "interface, address type and address"));
  return ip_or_not(protocol, r.rest());
}

LinkResult decode_raw(ByteView frame) {
  KDP_TRY(IpPacket ip, decode_ip(frame));
  return {std::move(ip)};
}

Expected<IpAddress> read_v4(ByteReader& r, std::string_view field) {
  KDP_TRY(uint32_t v, r.u32be(field));
  return IpAddress::v4(v);
}

Expected<IpAddress> read_v6(ByteReader& r, std::string_view field) {
  KDP_TRY(ByteView b, r.bytes(16, field));
  IpAddress a;
  a.v6 = true;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

// Cuts `r`'s remaining bytes to `length` (dropping link padding), noting a capture cut short.
ByteView bounded(ByteReader& r, uint64_t length, bool& truncated) {
  ByteView rest = r.rest();
  truncated = rest.size() < length;
  return truncated ? rest : rest.first(length);
}

Expected<IpPacket> decode_ipv4(ByteView bytes) {
  ByteReader r(bytes, "IPv4 header");
  KDP_TRY(uint8_t version_ihl, r.u8("version/IHL"));
  const uint32_t header_bytes = (version_ihl & 0x0f) * 4u;
  if (header_bytes < 20) return malformed("IPv4 header: IHL " + std::to_string(header_bytes / 4) + " is below 5");
  KDP_TRY_STATUS(r.skip(1, "TOS"));
  KDP_TRY(uint16_t total, r.u16be("total length"));
  if (total < header_bytes)
    return malformed("IPv4 header: total length " + std::to_string(total) + " is below the header length " +
                     std::to_string(header_bytes));
  IpPacket ip;
  KDP_TRY(uint16_t id, r.u16be("identification"));
  KDP_TRY(uint16_t flags_offset, r.u16be("flags/fragment offset"));
  KDP_TRY_STATUS(r.skip(1, "TTL"));
  KDP_TRY(ip.protocol, r.u8("protocol"));
  KDP_TRY_STATUS(r.skip(2, "header checksum"));
  KDP_TRY(ip.source, read_v4(r, "source address"));
  KDP_TRY(ip.destination, read_v4(r, "destination address"));
  KDP_TRY_STATUS(r.skip(header_bytes - 20, "options"));
  ip.fragment_id = id;
  ip.more_fragments = (flags_offset & 0x2000) != 0;
  ip.fragment_offset = (flags_offset & 0x1fffu) * 8;
  ip.fragment = ip.more_fragments || ip.fragment_offset != 0;
  ip.payload = bounded(r, total - header_bytes, ip.truncated);
  return ip;
}

// Walks extension headers up to the upper-layer protocol, noting a Fragment header.
Status skip_ipv6_extensions(ByteReader& r, IpPacket& ip, uint64_t& length) {
  for (int n = 0;; ++n) {
    const uint8_t next = ip.protocol;
    if (next != 0 && next != 43 && next != 60 && next != 44 && next != 51) return {};
    if (n == kMaxIpv6Extensions) return malformed("IPv6: more than 16 extension headers");
    const size_t start = r.offset();
    KDP_TRY(ip.protocol, r.u8("extension next header"));
    KDP_TRY(uint8_t ext_len, r.u8("extension length"));
    if (next == 44) {
      KDP_TRY(uint16_t offset_flags, r.u16be("fragment offset"));
      KDP_TRY(ip.fragment_id, r.u32be("fragment identification"));
      ip.fragment = true;
      ip.fragment_offset = (offset_flags >> 3) * 8u;
      ip.more_fragments = (offset_flags & 1) != 0;
    } else {
      const uint64_t total = next == 51 ? (ext_len + 2u) * 4u : (ext_len + 1u) * 8u;
      KDP_TRY_STATUS(r.skip(total - 2, "extension header"));
    }
    const uint64_t used = r.offset() - start;
    if (used > length) return malformed("IPv6: extension headers longer than the payload length");
    length -= used;
  }
}

Expected<IpPacket> decode_ipv6(ByteView bytes) {
  ByteReader r(bytes, "IPv6 header");
  KDP_TRY_STATUS(r.skip(4, "version/class/flow"));
  KDP_TRY(uint16_t payload_length, r.u16be("payload length"));
  IpPacket ip;
  KDP_TRY(ip.protocol, r.u8("next header"));
  KDP_TRY_STATUS(r.skip(1, "hop limit"));
  KDP_TRY(ip.source, read_v6(r, "source address"));
  KDP_TRY(ip.destination, read_v6(r, "destination address"));
  // A jumbogram (payload length 0) runs to the end of the frame.
  uint64_t length = payload_length != 0 ? payload_length : r.remaining();
  KDP_TRY_STATUS(skip_ipv6_extensions(r, ip, length));
  ip.payload = bounded(r, length, ip.truncated);
  return ip;
}

}  // namespace

Expected<IpPacket> decode_ip(ByteView bytes) {
  ByteReader r(bytes, "IP header");
  KDP_TRY(uint8_t first, r.u8("version"));
  if (first >> 4 == 4) return decode_ipv4(bytes);
  if (first >> 4 == 6) return decode_ipv6(bytes);
  return malformed("IP header: version " + std::to_string(first >> 4) + " is neither 4 nor 6");
}

Expected<std::variant<IpPacket, NotIp>> decode_link(int linktype, ByteView frame) {
  switch (linktype) {
    case DLT_EN10MB: return decode_ethernet(frame);
    case DLT_NULL:
    case DLT_LOOP: return decode_loopback(frame);
    case DLT_LINUX_SLL: return decode_sll(frame);
    case DLT_LINUX_SLL2: return decode_sll2(frame);
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6: return decode_raw(frame);
    default: return usage_error("unsupported link type " + linktype_name(linktype));
  }
}

Expected<UdpDatagram> decode_udp(const IpPacket& ip, ByteView transport) {
  ByteReader r(transport, "UDP header");
  UdpDatagram udp;
  udp.source.ip = ip.source;
  udp.destination.ip = ip.destination;
  KDP_TRY(udp.source.port, r.u16be("source port"));
  KDP_TRY(udp.destination.port, r.u16be("destination port"));
  KDP_TRY(uint16_t length, r.u16be("length"));
  KDP_TRY_STATUS(r.skip(2, "checksum"));
  if (length < 8 && !(ip.source.v6 && length == 0))
    return malformed("UDP header: length " + std::to_string(length) + " is below 8");
  const uint64_t payload_length = length == 0 ? r.remaining() : length - 8u;
  udp.payload = bounded(r, payload_length, udp.truncated);
  udp.truncated = udp.truncated || ip.truncated;
  return udp;
}

bool linktype_supported(int linktype) {
  switch (linktype) {
    case DLT_EN10MB: case DLT_NULL: case DLT_LOOP: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
    case DLT_RAW: case DLT_IPV4: case DLT_IPV6: return true;
    default: return false;
  }
}

std::string linktype_name(int linktype) {
  const char* name = pcap_datalink_val_to_name(linktype);
  return name ? std::string(name) : "DLT " + std::to_string(linktype);
}

}  // namespace kdp::pcap
