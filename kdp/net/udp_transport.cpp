#include "kdp/net/udp_transport.h"

#include <uv.h>

#include "kdp/wire/packet.h"

namespace kdp::net {

Expected<std::unique_ptr<UdpTransport>> UdpTransport::open(Endpoint local, Endpoint target) {
  std::unique_ptr<UdpTransport> transport(new UdpTransport());
  UdpTransport* self = transport.get();
  KDP_TRY(transport->socket_, UdpSocket::open(transport->loop_, local, [self](Datagram datagram) {
            self->inbox_.push_back(std::move(datagram));
          }));
  KDP_TRY_STATUS(transport->socket_->connect(target));
  transport->target_ = target;
  return transport;
}

Status UdpTransport::send(const Datagram& datagram) {
  // A refusal of an earlier datagram ended the request that sent it; this one gets its own answer.
  socket_->clear_error();
  Status sent = socket_->send(datagram);
  loop_.poll();  // an ICMP error of this or an earlier send shows up here
  return sent;
}

std::optional<Datagram> UdpTransport::receive(Time until) {
  loop_.poll();  // whatever the socket already holds
  while (inbox_.empty() && !failure()) {
    Time now = monotonic_now();
    if (now >= until) return std::nullopt;
    // The timer only wakes the loop; its resolution is 1 ms, so re-check the clock after it.
    timer_.start(until - now, [] {});
    loop_.run_once();
    timer_.stop();
  }
  if (inbox_.empty()) return std::nullopt;
  Datagram datagram = std::move(inbox_.front());
  inbox_.pop_front();
  return datagram;
}

std::optional<Error> UdpTransport::failure() const {
  if (socket_->error() != UV_ECONNREFUSED) return std::nullopt;
  return Error(ErrorKind::kIo, "nothing is listening on " + to_string(target_) + " (ICMP port unreachable)");
}

Endpoint local_endpoint_for(const Endpoint& target) {
  Endpoint local;
  local.is_v6 = target.is_v6;
  if (!is_loopback(target)) return local;  // any address
  if (target.is_v6)
    local.ipv6[15] = 1;
  else
    local.ipv4 = 0x7f000001;
  return local;
}

client::TransportFactory udp_transport_factory() {
  return [](std::string_view target, uint16_t local_port) -> Expected<client::Route> {
    KDP_TRY(Endpoint endpoint, resolve(target, wire::kKdpPort));
    Endpoint local = local_endpoint_for(endpoint);
    local.port = local_port;
    KDP_TRY(auto transport, UdpTransport::open(local, endpoint));
    return client::Route{std::move(transport), endpoint};
  };
}

}  // namespace kdp::net
