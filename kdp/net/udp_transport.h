// client::Transport over one libuv UDP socket (udp.h) and the monotonic clock: replies and
// exception notifications arrive on the same socket, as with LLDB (spec §1.1). The socket is
// connected to the target, so that "nothing is listening there" (ICMP port unreachable) ends a
// request at once instead of after its deadline.
#pragma once

#include <deque>
#include <memory>

#include "kdp/client/transport.h"
#include "kdp/net/udp.h"

namespace kdp::net {

class UdpTransport final : public client::Transport {
 public:
  // Binds to `local` (port 0: ephemeral) and connects to `target`.
  static Expected<std::unique_ptr<UdpTransport>> open(Endpoint local, Endpoint target);

  Time now() override { return monotonic_now(); }
  Endpoint local() const override { return socket_->local(); }
  Status send(const Datagram& datagram) override;
  std::optional<Datagram> receive(Time until) override;
  std::optional<Error> failure() const override;

 private:
  UdpTransport() : timer_(loop_) {}

  EventLoop loop_;  // declared first: outlives the handles below
  Timer timer_;
  std::unique_ptr<UdpSocket> socket_;
  Endpoint target_;
  std::deque<Datagram> inbox_;
};

// Where to bind for `target`: loopback for a loopback target, else any address (spec §1.1), of
// the target's family.
Endpoint local_endpoint_for(const Endpoint& target);

// Session::reattach/connect over real UDP: resolve (A or AAAA, "[v6]:port"), bind, connect.
client::TransportFactory udp_transport_factory();

}  // namespace kdp::net
