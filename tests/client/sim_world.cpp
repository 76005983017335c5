#include "sim_world.h"

#include "kdp/wire/codec.h"

namespace kdp::sim {
namespace {

net::FaultConfig seeded(net::FaultConfig config, uint64_t seed) {
  config.seed = seed;
  return config;
}

double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

SimWorld::SimWorld(stub::StubEngine kernel, WorldConfig config)
    : kernel_(std::move(kernel)),
      config_(config),
      to_kernel_(seeded(config.to_kernel, config.seed * 2 + 1)),
      to_debuggers_(seeded(config.to_debuggers, config.seed * 2 + 2)),
      rng_(config.seed ^ 0x9e3779b97f4a7c15ULL) {}

std::unique_ptr<client::Transport> SimWorld::attach(uint16_t port) {
  if (bound_[port]++ == 0) inbox(Endpoint{kDebuggerIp, port}).clear();
  return std::make_unique<SimTransport>(*this, Endpoint{kDebuggerIp, port});
}

Status SimTransport::send(const Datagram& datagram) {
  world_.send(local_, datagram);
  return {};
}

void SimWorld::send(Endpoint from, const Datagram& datagram) {
  if (datagram.peer == kKernel) forge(from, datagram);
  route(from, datagram, to_kernel_);
}

void SimWorld::route(Endpoint from, const Datagram& datagram, net::FaultInjector& faults) {
  if (exhausted_) return;
  if (drop_if_ && drop_if_(datagram, from)) return;
  for (Time at : faults.deliveries(now_)) schedule(from, datagram.peer, datagram.bytes, at);
}

void SimWorld::inject(Endpoint from, Endpoint to, Bytes bytes, Duration delay) {
  schedule(from, to, std::move(bytes), now_ + delay);
}

void SimWorld::schedule(Endpoint from, Endpoint to, Bytes bytes, Time at) {
  in_flight_.push(InFlight{at, order_++, from, to, std::move(bytes)});
}

void SimWorld::forge(Endpoint from, const Datagram& request) {
  auto header = wire::decode_header(request.bytes);
  if (!header || header->is_reply) return;
  if (uniform(rng_) < config_.forged_replies) {
    // A well-formed reply carrying the request's code, seq and key, sent from the wrong place.
    auto body = wire::DataReply{0, Bytes{0xf0, 0x0d}};
    auto forged = wire::encode(wire::make_reply(header->command, header->seq, header->key, body));
    if (!forged) forged = wire::encode(wire::make_reply(header->command, header->seq, header->key));
    Endpoint foreign = (rng_() & 1) ? Endpoint{0x0a000042, kKernel.port} : Endpoint{kKernel.ipv4, 41140};
    if (forged) inject(foreign, from, *forged, Duration(0));
  }
  if (uniform(rng_) < config_.garbage) {
    Bytes junk(1 + rng_() % 40);
    for (auto& b : junk) b = static_cast<uint8_t>(rng_());
    inject(kKernel, from, std::move(junk), Duration(0));
  }
}

std::optional<Datagram> SimWorld::receive(Endpoint to, Time until) {
  for (;;) {
    auto& queue = inbox(to);
    if (!queue.empty()) {
      Datagram d = std::move(queue.front());
      queue.pop_front();
      return d;
    }
    if (!step(until)) {
      now_ = std::max(now_, until);
      return std::nullopt;
    }
  }
}

void SimWorld::advance(Duration d) {
  Time until = now_ + d;
  while (step(until)) {
  }
  now_ = std::max(now_, until);
}

bool SimWorld::step(Time until) {
  std::optional<Time> kernel_timer = kernel_.next_deadline();
  std::optional<Time> next_arrival;
  if (!in_flight_.empty()) next_arrival = in_flight_.top().at;
  bool timer_first = kernel_timer && (!next_arrival || *kernel_timer <= *next_arrival);
  Time at = timer_first ? *kernel_timer : next_arrival.value_or(until);
  if ((!kernel_timer && !next_arrival) || at > until) return false;
  if (++events_ > config_.event_budget) exhausted_ = true;
  now_ = std::max(now_, at);
  if (timer_first) {
    kernel_.on_timer(now_);
    flush_kernel();
  } else {
    InFlight event = in_flight_.top();
    in_flight_.pop();
    if (!exhausted_) deliver(std::move(event));
  }
  return true;
}

void SimWorld::release(uint16_t port) {
  if (--bound_[port] > 0) return;
  bound_.erase(port);
  inbox(Endpoint{kDebuggerIp, port}).clear();
}

void SimWorld::deliver(InFlight event) {
  Datagram datagram{event.from, std::move(event.bytes)};
  if (!(event.to == kKernel)) {
    if (event.to.ipv4 == kDebuggerIp && !bound_.count(event.to.port)) return;  // nobody listens there
    inbox(event.to).push_back(std::move(datagram));
    return;
  }
  uint64_t before = kernel_.stats().requests;
  kernel_.on_datagram(datagram, now_);
  if (tap_) tap_(KernelDelivery{datagram, kernel_.stats().requests != before});
  flush_kernel();
}

void SimWorld::flush_kernel() {
  for (const Datagram& out : kernel_.take_outgoing()) route(kKernel, out, to_debuggers_);
  for (const std::string& line : kernel_.take_log())
    if (kernel_log_) kernel_log_(line);
}

}  // namespace kdp::sim
