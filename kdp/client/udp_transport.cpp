#include "kdp/client/udp_transport.h"

namespace kdp::client {

UdpTransport::UdpTransport() : timer_(loop_) {}

Expected<std::unique_ptr<UdpTransport>> UdpTransport::open(Endpoint local) {
  std::unique_ptr<UdpTransport> transport(new UdpTransport());
  UdpTransport* self = transport.get();
  KDP_TRY(transport->socket_, net::UdpSocket::open(transport->loop_, local, [self](Datagram datagram) {
            self->inbox_.push_back(std::move(datagram));
          }));
  return transport;
}

std::optional<Datagram> UdpTransport::receive(Time until) {
  loop_.poll();  // whatever the socket already holds
  while (inbox_.empty()) {
    Time now = net::monotonic_now();
    if (now >= until) return std::nullopt;
    // The timer only wakes the loop; its resolution is 1 ms, so re-check the clock after it.
    timer_.start(until - now, [] {});
    loop_.run_once();
    timer_.stop();
  }
  Datagram datagram = std::move(inbox_.front());
  inbox_.pop_front();
  return datagram;
}

Endpoint local_endpoint_for(const Endpoint& target) {
  bool loopback = (target.ipv4 >> 24) == 127;
  return Endpoint{loopback ? 0x7f000001u : 0u, 0};
}

}  // namespace kdp::client
