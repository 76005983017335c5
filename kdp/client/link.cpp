#include "kdp/client/link.h"

#include <algorithm>
#include <utility>

namespace kdp::client {
namespace {

// How often a blocking wait looks at the interrupt flag (a signal does not wake the event loop).
constexpr Duration kInterruptPoll = std::chrono::milliseconds(50);
constexpr int kMaxFillers = 4;

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
  for (;;) {
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
    pump(engine_.next_deadline().value_or(transport_->now()));
  }
}

Expected<StopNotice> Link::wait_for_stop(Time deadline) {
  for (;;) {
    flush();
    if (auto stop = engine_.take_stop()) return std::move(*stop);
    if (interrupted()) return Error(ErrorKind::kInterrupted, "interrupted while the kernel runs");
    if (auto failure = transport_->failure()) return *failure;
    if (transport_->now() >= deadline) return Error(ErrorKind::kTimeout, "no stop");
    Time until = deadline;
    if (auto timer = engine_.next_deadline()) until = std::min(until, *timer);
    pump(until);
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

void Link::pump(Time until) {
  if (interrupt_ != nullptr) until = std::min(until, transport_->now() + kInterruptPoll);
  if (auto datagram = transport_->receive(until)) engine_.on_datagram(*datagram, transport_->now());
  engine_.on_timer(transport_->now());
}

}  // namespace kdp::client
