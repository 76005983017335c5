// Addresses and time as the sans-I/O protocol engines see them. Engines never read a clock or own
// a socket: adapters (libuv, the deterministic simulation) pass `now` and datagrams in.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kdp {

// A UDP endpoint. xnu's stub speaks IPv4 only, but the host side may reach it (or kdp-sim)
// through an IPv6 address: a NAT'd VM, a tunnel, ::1.
struct Endpoint {
  uint32_t ipv4 = 0;  // host byte order, 127.0.0.1 == 0x7f000001 (unless is_v6)
  uint16_t port = 0;
  bool is_v6 = false;
  std::array<uint8_t, 16> ipv6{};  // network order (when is_v6)
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// "127.0.0.1:41139", "[::1]:41139"
std::string to_string(const Endpoint& e);
// The address alone: "127.0.0.1", "::1"
std::string address_text(const Endpoint& e);
// RFC 5952 text of an IPv6 address: lower-case hex groups, the longest run (two or more) of zero
// groups as "::" (also used for captured IPv6 packets).
std::string ipv6_text(const std::array<uint8_t, 16>& address);
bool is_loopback(const Endpoint& e);

// A datagram an engine wants sent (peer = destination) or has received (peer = source).
struct Datagram {
  Endpoint peer;
  std::vector<uint8_t> bytes;
};

// Monotonic time since an arbitrary origin (the adapter's clock or the simulation's virtual one).
using Time = std::chrono::nanoseconds;
using Duration = std::chrono::nanoseconds;

}  // namespace kdp
