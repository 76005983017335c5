#include "kdp/net/stub_server.h"

#include "kdp/wire/codec.h"

namespace kdp::net {

StubServer::StubServer(EventLoop& loop, stub::StubEngine& engine, std::optional<FaultConfig> faults,
                       StubServerLog log)
    : log_(std::move(log)),
      loop_(loop), engine_(engine), engine_timer_(loop), queue_timer_(loop) {
  if (faults) {
    rx_faults_ = std::make_unique<FaultInjector>(*faults);
    FaultConfig sent = *faults;
    sent.seed += 1;
    tx_faults_ = std::make_unique<FaultInjector>(sent);
  }
}

Status StubServer::listen(Endpoint local) {
  KDP_TRY(socket_, UdpSocket::open(loop_, local, [this](Datagram d) { on_receive(std::move(d)); }));
  pump();  // the engine's boot notes
  return {};
}

void StubServer::on_receive(Datagram datagram) {
  if (log_.debug) log_.debug("<- " + to_string(datagram.peer) + " " + wire::describe_datagram(datagram.bytes));
  if (!rx_faults_) {
    deliver(datagram);
    return;
  }
  Time now = monotonic_now();
  auto times = rx_faults_->deliveries(now);
  if (times.empty() && log_.debug) log_.debug("fault: lost a received datagram");
  for (Time at : times) hold(at, InFlight{true, datagram});
}

void StubServer::deliver(const Datagram& datagram) {
  engine_.on_datagram(datagram, monotonic_now());
  pump();
}

void StubServer::transmit(const Datagram& datagram) {
  if (log_.debug) log_.debug("-> " + to_string(datagram.peer) + " " + wire::describe_datagram(datagram.bytes));
  if (auto sent = socket_->send(datagram); !sent && log_.warn) log_.warn(sent.error().message());
}

void StubServer::pump() {
  for (const std::string& line : engine_.take_log())
    if (log_.info) log_.info(line);
  for (Datagram& out : engine_.take_outgoing()) {
    if (!tx_faults_) {
      transmit(out);
      continue;
    }
    auto times = tx_faults_->deliveries(monotonic_now());
    if (times.empty() && log_.debug) log_.debug("fault: lost a sent datagram");
    for (Time at : times) hold(at, InFlight{false, out});
  }
  engine_timer_.stop();
  if (auto deadline = engine_.next_deadline()) {
    engine_timer_.start(*deadline - monotonic_now(), [this] {
      engine_.on_timer(monotonic_now());
      pump();
    });
  }
}

void StubServer::hold(Time at, InFlight item) {
  in_flight_.emplace(at, std::move(item));
  arm_queue_timer();
}

void StubServer::release_due() {
  Time now = monotonic_now();
  while (!in_flight_.empty() && in_flight_.begin()->first <= now) {
    InFlight item = std::move(in_flight_.begin()->second);
    in_flight_.erase(in_flight_.begin());
    if (item.to_engine)
      deliver(item.datagram);
    else
      transmit(item.datagram);
  }
  arm_queue_timer();
}

void StubServer::arm_queue_timer() {
  queue_timer_.stop();
  if (in_flight_.empty()) return;
  queue_timer_.start(in_flight_.begin()->first - monotonic_now(), [this] { release_due(); });
}

}  // namespace kdp::net
