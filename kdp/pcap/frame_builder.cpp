#include "kdp/pcap/frame_builder.h"

namespace kdp::pcap {
namespace {

constexpr uint8_t kUdp = 17;

void write_mac(ByteWriter& w, bool higher) {
  const uint8_t mac[6] = {0x02, 0, 0, 0, 0, static_cast<uint8_t>(higher ? 2 : 1)};
  w.bytes(mac);
}

void write_ip(ByteWriter& w, const IpAddress& ip) {
  w.bytes(ByteView(ip.bytes.data(), ip.v6 ? 16 : 4));
}

// The UDP header with its checksum over the pseudo-header (RFC 768 / RFC 8200 §8.1).
Bytes udp_segment(const FrameSpec& spec, ByteView payload) {
  const uint16_t length = static_cast<uint16_t>(8 + payload.size());
  ByteWriter udp;
  udp.u16be(spec.source.port);
  udp.u16be(spec.destination.port);
  udp.u16be(length);
  udp.u16be(0);
  udp.bytes(payload);
  ByteWriter pseudo;
  write_ip(pseudo, spec.source.ip);
  write_ip(pseudo, spec.destination.ip);
  if (spec.source.ip.v6) {
    pseudo.u32be(length);
    pseudo.zeros(3);
    pseudo.u8(kUdp);
  } else {
    pseudo.u8(0);
    pseudo.u8(kUdp);
    pseudo.u16be(length);
  }
  uint16_t sum = checksum_fold(checksum_add(checksum_add(0, pseudo.data()), udp.data()));
  if (sum == 0) sum = 0xffff;  // 0 means "no checksum" in UDP
  Bytes out = std::move(udp).take();
  out[6] = static_cast<uint8_t>(sum >> 8);
  out[7] = static_cast<uint8_t>(sum);
  return out;
}

void ipv4_header(ByteWriter& w, const FrameSpec& spec, size_t udp_bytes) {
  ByteWriter h;
  h.u8(0x45);
  h.u8(0);
  h.u16be(static_cast<uint16_t>(20 + udp_bytes));
  h.u16be(spec.ip_id);
  h.u16be(0);
  h.u8(spec.ttl);
  h.u8(kUdp);
  h.u16be(0);
  write_ip(h, spec.source.ip);
  write_ip(h, spec.destination.ip);
  Bytes header = std::move(h).take();
  const uint16_t sum = checksum_fold(checksum_add(0, header));
  header[10] = static_cast<uint8_t>(sum >> 8);
  header[11] = static_cast<uint8_t>(sum);
  w.bytes(header);
}

void ipv6_header(ByteWriter& w, const FrameSpec& spec, size_t udp_bytes) {
  w.u32be(0x60000000);
  w.u16be(static_cast<uint16_t>(udp_bytes));
  w.u8(kUdp);
  w.u8(spec.ttl);
  write_ip(w, spec.source.ip);
  write_ip(w, spec.destination.ip);
}

}  // namespace

uint32_t checksum_add(uint32_t sum, ByteView bytes) {
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += uint32_t{bytes[i]} << 8 | bytes[i + 1];
  if (bytes.size() % 2) sum += uint32_t{bytes.back()} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

uint16_t checksum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Expected<Bytes> build_udp_frame(const FrameSpec& spec, ByteView payload) {
  const bool v6 = spec.source.ip.v6;
  if (v6 != spec.destination.ip.v6) return usage_error("capture frame: source and destination address families differ");
  if (payload.size() > 65535 - 8 - (v6 ? 0 : 20))
    return usage_error("capture frame: a " + std::to_string(payload.size()) + "-byte datagram does not fit in UDP");
  const Bytes udp = udp_segment(spec, payload);
  ByteWriter w;
  const bool source_higher = spec.source.ip > spec.destination.ip ||
                             (spec.source.ip == spec.destination.ip && spec.source.port > spec.destination.port);
  write_mac(w, !source_higher);  // destination MAC
  write_mac(w, source_higher);   // source MAC
  w.u16be(v6 ? 0x86dd : 0x0800);
  if (v6)
    ipv6_header(w, spec, udp.size());
  else
    ipv4_header(w, spec, udp.size());
  w.bytes(udp);
  return std::move(w).take();
}

}  // namespace kdp::pcap
