// Capture files and frames spelled out byte by byte in the tests, independently of
// kdp/pcap/frame_builder and capture_writer (which are themselves under test): the pcap and
// pcapng layouts come from their specifications (pcap: 24-byte header, 16-byte record headers;
// pcapng: SHB, IDB, EPB blocks), the headers from RFC 791 / 768 / 8200.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "kdp/base/bytes.h"

namespace kdp::test {

inline void put_le(Bytes& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put_be(Bytes& out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

struct HandRecord {
  uint32_t sec = 0, usec = 0;
  Bytes frame;
  uint32_t original_length = 0;  // 0: frame.size()
};

// Classic little-endian microsecond pcap.
inline Bytes pcap_file(uint32_t linktype, const std::vector<HandRecord>& records) {
  Bytes out;
  put_le(out, 0xa1b2c3d4, 4);
  put_le(out, 2, 2);
  put_le(out, 4, 2);
  put_le(out, 0, 4);
  put_le(out, 0, 4);
  put_le(out, 65535, 4);
  put_le(out, linktype, 4);
  for (const HandRecord& r : records) {
    put_le(out, r.sec, 4);
    put_le(out, r.usec, 4);
    put_le(out, r.frame.size(), 4);
    put_le(out, r.original_length ? r.original_length : r.frame.size(), 4);
    append(out, r.frame);
  }
  return out;
}

// pcapng: one section, one interface (microsecond resolution by default), one EPB per record.
inline Bytes pcapng_file(uint16_t linktype, const std::vector<HandRecord>& records) {
  Bytes out;
  put_le(out, 0x0a0d0d0a, 4);  // SHB
  put_le(out, 28, 4);
  put_le(out, 0x1a2b3c4d, 4);
  put_le(out, 1, 2);
  put_le(out, 0, 2);
  put_le(out, UINT64_MAX, 8);  // section length unknown
  put_le(out, 28, 4);
  put_le(out, 1, 4);  // IDB
  put_le(out, 20, 4);
  put_le(out, linktype, 2);
  put_le(out, 0, 2);
  put_le(out, 65535, 4);
  put_le(out, 20, 4);
  for (const HandRecord& r : records) {
    const uint32_t padded = (r.frame.size() + 3) & ~3u;
    const uint32_t total = 32 + padded;
    const uint64_t ts = uint64_t{r.sec} * 1000000 + r.usec;
    put_le(out, 6, 4);  // EPB
    put_le(out, total, 4);
    put_le(out, 0, 4);
    put_le(out, ts >> 32, 4);
    put_le(out, ts & 0xffffffff, 4);
    put_le(out, r.frame.size(), 4);
    put_le(out, r.frame.size(), 4);
    append(out, r.frame);
    out.resize(out.size() + (padded - r.frame.size()), 0);
    put_le(out, total, 4);
  }
  return out;
}

inline Bytes udp_header(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes out;
  put_be(out, sport, 2);
  put_be(out, dport, 2);
  put_be(out, 8 + payload.size(), 2);
  put_be(out, 0, 2);  // no checksum
  append(out, payload);
  return out;
}

// IPv4 header (no checksum: nothing here checks it) + payload. flags_offset as on the wire.
inline Bytes ipv4(uint32_t src, uint32_t dst, uint8_t proto, const Bytes& payload, uint16_t id = 1,
                  uint16_t flags_offset = 0, uint16_t total_override = 0) {
  Bytes out;
  out.push_back(0x45);
  out.push_back(0);
  put_be(out, total_override ? total_override : 20 + payload.size(), 2);
  put_be(out, id, 2);
  put_be(out, flags_offset, 2);
  out.push_back(64);
  out.push_back(proto);
  put_be(out, 0, 2);
  put_be(out, src, 4);
  put_be(out, dst, 4);
  append(out, payload);
  return out;
}

inline Bytes ipv6(const Bytes& src16, const Bytes& dst16, uint8_t next, const Bytes& payload) {
  Bytes out;
  put_be(out, 0x60000000, 4);
  put_be(out, payload.size(), 2);
  out.push_back(next);
  out.push_back(64);
  append(out, src16);
  append(out, dst16);
  append(out, payload);
  return out;
}

inline Bytes ethernet(uint16_t ethertype, const Bytes& payload, std::initializer_list<uint16_t> vlans = {}) {
  Bytes out(12, 0x11);
  for (uint16_t tag : vlans) {
    put_be(out, 0x8100, 2);
    put_be(out, tag, 2);
  }
  put_be(out, ethertype, 2);
  append(out, payload);
  return out;
}

constexpr uint32_t kLocalhost = 0x7f000001;

}  // namespace kdp::test
