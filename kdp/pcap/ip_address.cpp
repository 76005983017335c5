#include "kdp/pcap/ip_address.h"

#include "kdp/base/endpoint.h"

namespace kdp::pcap {

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  for (int i = 0; i < 4; ++i) a.bytes[i] = static_cast<uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

uint32_t IpAddress::v4_host_order() const {
  return uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 | bytes[3];
}

std::string to_string(const IpAddress& ip) {
  if (ip.v6) return ipv6_text(ip.bytes);
  return std::to_string(ip.bytes[0]) + "." + std::to_string(ip.bytes[1]) + "." + std::to_string(ip.bytes[2]) +
         "." + std::to_string(ip.bytes[3]);
}

std::string to_string(const SocketAddress& address) {
  const std::string ip = to_string(address.ip);
  return (address.ip.v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(address.port);
}

}  // namespace kdp::pcap
