#include "tools/kdp-sim/sim_server.h"

#include <spdlog/spdlog.h>

#include "kdp/wire/codec.h"

namespace kdp::sim {

SimServer::SimServer(net::EventLoop& loop, stub::StubEngine& engine, std::optional<net::FaultConfig> faults)
    : loop_(loop), engine_(engine), engine_timer_(loop), queue_timer_(loop) {
  if (faults) {
    rx_faults_ = std::make_unique<net::FaultInjector>(*faults);
    net::FaultConfig sent = *faults;
    sent.seed += 1;
    tx_faults_ = std::make_unique<net::FaultInjector>(sent);
  }
}

Status SimServer::listen(Endpoint local) {
  KDP_TRY(socket_, net::UdpSocket::open(loop_, local, [this](Datagram d) { on_receive(std::move(d)); }));
  pump();  // the engine's boot notes
  return {};
}

void SimServer::on_receive(Datagram datagram) {
  spdlog::debug("<- {} {}", to_string(datagram.peer), wire::describe_datagram(datagram.bytes));
  if (!rx_faults_) {
    deliver(datagram);
    return;
  }
  Time now = net::monotonic_now();
  auto times = rx_faults_->deliveries(now);
  if (times.empty()) spdlog::debug("fault: lost a received datagram");
  for (Time at : times) hold(at, InFlight{true, datagram});
}

void SimServer::deliver(const Datagram& datagram) {
  engine_.on_datagram(datagram, net::monotonic_now());
  pump();
}

void SimServer::transmit(const Datagram& datagram) {
  spdlog::debug("-> {} {}", to_string(datagram.peer), wire::describe_datagram(datagram.bytes));
  if (auto sent = socket_->send(datagram); !sent) spdlog::warn("{}", sent.error().message());
}

void SimServer::pump() {
  for (const std::string& line : engine_.take_log()) spdlog::info("{}", line);
  for (Datagram& out : engine_.take_outgoing()) {
    if (!tx_faults_) {
      transmit(out);
      continue;
    }
    auto times = tx_faults_->deliveries(net::monotonic_now());
    if (times.empty()) spdlog::debug("fault: lost a sent datagram");
    for (Time at : times) hold(at, InFlight{false, out});
  }
  engine_timer_.stop();
  if (auto deadline = engine_.next_deadline()) {
    engine_timer_.start(*deadline - net::monotonic_now(), [this] {
      engine_.on_timer(net::monotonic_now());
      pump();
    });
  }
}

void SimServer::hold(Time at, InFlight item) {
  in_flight_.emplace(at, std::move(item));
  arm_queue_timer();
}

void SimServer::release_due() {
  Time now = net::monotonic_now();
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

void SimServer::arm_queue_timer() {
  queue_timer_.stop();
  if (in_flight_.empty()) return;
  queue_timer_.start(in_flight_.begin()->first - net::monotonic_now(), [this] { release_due(); });
}

}  // namespace kdp::sim
