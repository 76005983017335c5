// What the blocking client code needs from the world: a clock, a way to send a datagram and a way
// to wait for the next one. net::UdpTransport (kdp/net, libuv, real time) and the simulation's SimTransport
// (virtual network and clock, tests/client) implement it, so the Link and every Session
// operation run unchanged in both.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "kdp/base/endpoint.h"
#include "kdp/base/error.h"

namespace kdp::client {

class Transport {
 public:
  virtual ~Transport() = default;

  virtual Time now() = 0;
  virtual Endpoint local() const = 0;
  virtual Status send(const Datagram& datagram) = 0;
  // The next datagram received (from anyone), waiting at most until `until`; nullopt when the
  // time is up first. A datagram already queued is returned even if `until` has passed.
  virtual std::optional<Datagram> receive(Time until) = 0;
  // A failure of the path that retransmitting cannot cure, e.g. nothing listening at the target
  // (a connected UDP socket reports the ICMP port unreachable as ECONNREFUSED): requests then
  // fail at once with this error instead of running out their deadline.
  virtual std::optional<Error> failure() const { return std::nullopt; }
};

// Where a session goes: a transport to one target and that target's endpoint.
struct Route {
  std::unique_ptr<Transport> transport;
  Endpoint target;
};

// Resolves "host", "host:port", "[v6]:port" (default port: 41139) and opens a transport to it,
// bound to `local_port` (0: ephemeral). The client library opens no socket itself: kdp/net's
// udp_transport_factory() opens a real one, the deterministic simulation a virtual one.
using TransportFactory = std::function<Expected<Route>(std::string_view target, uint16_t local_port)>;

}  // namespace kdp::client
