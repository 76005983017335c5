// What the blocking client code needs from the world: a clock, a way to send a datagram and a way
// to wait for the next one. UdpTransport (libuv, real time) and the simulation's SimTransport
// (virtual network and clock, tests/client) implement it, so the Link and every Session
// operation run unchanged in both.
#pragma once

#include <optional>

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
};

}  // namespace kdp::client
