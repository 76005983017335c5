// Addresses as a capture shows them: IPv4 or IPv6, plus a UDP port. Kept apart from kdp::Endpoint
// (what the live client speaks) because captures users bring may hold either family.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "kdp/base/endpoint.h"

namespace kdp::pcap {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

  static IpAddress v4(uint32_t host_order);
  uint32_t v4_host_order() const;  // meaningful only when !v6
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct SocketAddress {
  IpAddress ip;
  uint16_t port = 0;
  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

// "127.0.0.1", "::1" (RFC 5952 short form), and "127.0.0.1:41139" / "[::1]:41139".
std::string to_string(const IpAddress& ip);
std::string to_string(const SocketAddress& address);

inline SocketAddress from_endpoint(const Endpoint& e) { return {IpAddress::v4(e.ipv4), e.port}; }

}  // namespace kdp::pcap
