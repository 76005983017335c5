#include "kdp/client/link.h"

#include <algorithm>
#include <string>
#include <utility>

namespace kdp::client {
namespace {

// How often a blocking wait looks at the interrupt flag (a signal does not wake the event loop).
constexpr Duration kInterruptPoll = std::chrono::milliseconds(50);
constexpr int kMaxFillers = 4;
// Waits in a row in which nothing arrived and the clock stood still before a blocking call gives
// up: its deadline alone does not bound it when the transport's clock does not advance. A working
// transport never comes close (a wait returns early only with a datagram, or at a passed timer
// that the engine then moves on).
constexpr int kMaxStalls = 100000;

Error clock_stalled() {
  return Error(ErrorKind::kTimeout, "the transport's clock does not advance: gave up after " +
                                        std::to_string(kMaxStalls) + " waits that returned at once");
}

}  // namespace

Link::Link(std::unique_ptr<Transport> transport, EngineConfig config, const std::atomic<bool>* interrupt)
    : transport_(std::move(transport)), engine_(std::move(config)), interrupt_(interrupt) {}

Expected<wire::Packet> Link::request(RequestSpec spec) {
  if (!spec.idempotent) KDP_TRY_STATUS(settle_sequence());
  Completion done = run(std::move(spec));
  if (!done.reply && send_error_ && done.reply.error().kind() == ErrorKind::kTimeout)
    return Error(ErrorKind::kTimeout, done.reply.error().message() + " (last send error: " + *send_error_ + ")");
  return std::move(done.reply);
}

Status Link::settle_sequence() {
  for (int i = 0; i < kMaxFillers; ++i) {
    if (engine_.next_seq() != 255 && engine_.seq_certain()) return {};
    Completion filler = run(RequestSpec(wire::Command::kVersion));
    if (!filler.reply) return std::move(filler.reply).error();
  }
  return {};
}

Completion Link::run(RequestSpec spec) {
  wire::Command command = spec.command;
  engine_.start(std::move(spec), transport_->now());
  for (int stalls = 0;;) {
    flush();
    if (auto done = engine_.take_completion()) {
      if (done->reply) send_error_.reset();
      return std::move(*done);
    }
    if (interrupted()) {
      engine_.abandon();
      return Completion{command, Error(ErrorKind::kInterrupted, "interrupted"), 0, {}, false};
    }
    if (auto failure = transport_->failure()) {
      engine_.abandon();
      return Completion{command, *failure, 0, {}, false};
    }
    stalls = pump(engine_.next_deadline().value_or(transport_->now())) ? 0 : stalls + 1;
    if (stalls == kMaxStalls) {
      engine_.abandon();
      return Completion{command, clock_stalled(), 0, {}, false};
    }
  }
}

Expected<StopNotice> Link::wait_for_stop(Time deadline) {
  for (int stalls = 0;;) {
    flush();
    if (auto stop = engine_.take_stop()) return std::move(*stop);
    if (interrupted()) return Error(ErrorKind::kInterrupted, "interrupted while the kernel runs");
    if (auto failure = transport_->failure()) return *failure;
    if (transport_->now() >= deadline) return Error(ErrorKind::kTimeout, "no stop");
    Time until = deadline;
    if (auto timer = engine_.next_deadline()) until = std::min(until, *timer);
    stalls = pump(until) ? 0 : stalls + 1;
    if (stalls == kMaxStalls) return clock_stalled();
  }
}

void Link::poll() {
  flush();
  while (auto datagram = transport_->receive(Time::min())) engine_.on_datagram(*datagram, transport_->now());
  flush();
}

void Link::flush() {
  for (const Datagram& d : engine_.take_outgoing()) {
    // A failed send is a lost datagram: retransmission copes, the timeout error says why.
    if (Status sent = transport_->send(d); !sent) send_error_ = sent.error().message();
  }
}

bool Link::pump(Time until) {
  Time before = transport_->now();
  if (interrupt_ != nullptr) until = std::min(until, before + kInterruptPoll);
  auto datagram = transport_->receive(until);
  if (datagram) engine_.on_datagram(*datagram, transport_->now());
  engine_.on_timer(transport_->now());
  return datagram.has_value() || transport_->now() > before;
}

}  // namespace kdp::client
