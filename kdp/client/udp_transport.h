// Transport over one libuv UDP socket (kdp/net/udp.h) and the monotonic clock: replies and
// exception notifications arrive on the same socket, as with LLDB (spec §1.1).
#pragma once

#include <deque>
#include <memory>

#include "kdp/client/transport.h"
#include "kdp/net/udp.h"

namespace kdp::client {

class UdpTransport final : public Transport {
 public:
  // Binds to `local` (port 0: ephemeral).
  static Expected<std::unique_ptr<UdpTransport>> open(Endpoint local);

  Time now() override { return net::monotonic_now(); }
  Endpoint local() const override { return socket_->local(); }
  Status send(const Datagram& datagram) override { return socket_->send(datagram); }
  std::optional<Datagram> receive(Time until) override;

 private:
  UdpTransport();

  net::EventLoop loop_;  // declared first: outlives the handles below
  net::Timer timer_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::deque<Datagram> inbox_;
};

// Where to bind for `target`: loopback for a loopback target, else any address (spec §1.1).
Endpoint local_endpoint_for(const Endpoint& target);

}  // namespace kdp::client
