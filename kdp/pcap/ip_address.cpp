#include "kdp/pcap/ip_address.h"

#include <cstdio>

namespace kdp::pcap {

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  for (int i = 0; i < 4; ++i) a.bytes[i] = static_cast<uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

uint32_t IpAddress::v4_host_order() const {
  return uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 | bytes[3];
}

namespace {

// RFC 5952: lower-case hex groups, the longest run (>= 2) of zero groups becomes "::".
std::string v6_text(const std::array<uint8_t, 16>& b) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", groups[i]);
    out += buf;
  }
  return out;
}

}  // namespace

std::string to_string(const IpAddress& ip) {
  if (ip.v6) return v6_text(ip.bytes);
  return std::to_string(ip.bytes[0]) + "." + std::to_string(ip.bytes[1]) + "." + std::to_string(ip.bytes[2]) +
         "." + std::to_string(ip.bytes[3]);
}

std::string to_string(const SocketAddress& address) {
  const std::string ip = to_string(address.ip);
  return (address.ip.v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(address.port);
}

}  // namespace kdp::pcap
