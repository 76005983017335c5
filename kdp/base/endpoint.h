// Addresses and time as the sans-I/O protocol engines see them. Engines never read a clock or own
// a socket: adapters (libuv, the deterministic simulation) pass `now` and datagrams in.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kdp {

// KDP is UDP over IPv4 only (xnu's stub parses nothing else).
struct Endpoint {
  uint32_t ipv4 = 0;  // host byte order, 127.0.0.1 == 0x7f000001
  uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// "127.0.0.1:41139"
std::string to_string(const Endpoint& e);

// A datagram an engine wants sent (peer = destination) or has received (peer = source).
struct Datagram {
  Endpoint peer;
  std::vector<uint8_t> bytes;
};

// Monotonic time since an arbitrary origin (the adapter's clock or the simulation's virtual one).
using Time = std::chrono::nanoseconds;
using Duration = std::chrono::nanoseconds;

}  // namespace kdp
