// KDP_EXCEPTION notifications (xnu kdp_send_exception, kdp_exception_ack; spec §4.8): sent to the
// debugger's exception port, retransmitted until acked, and given up after 101 transmissions.
#include "kdp/stub/stub_engine.h"

#include "kdp/wire/codec.h"

namespace kdp::stub {

void StubEngine::send_notification(Time now) {
  Notification& n = *notification_;
  wire::Packet packet = wire::make_request(wire::Command::kException, session_.exception_seq, 0,
                                           wire::ExceptionNotification{{n.info}});
  auto bytes = wire::encode(packet);
  if (bytes) {
    remember(*bytes);
    Endpoint to = remote_;
    to.port = session_.exc_port;
    outgoing_.push_back(Datagram{to, std::move(*bytes)});
  }
  if (n.transmissions++ == 0)
    ++stats_.exceptions_sent;
  else
    ++stats_.exception_retransmits;
  n.poll_end = now + kAckPollWindow;
  n.next_send = n.poll_end + kAckSpin;
}

void StubEngine::on_awaiting_ack(const Datagram& datagram, Time now) {
  // An ack: at least a header, reply bit, code KDP_EXCEPTION, the notification's seq. Its len is
  // not checked (LLDB sends 28 in an 8-byte datagram).
  auto header = peek_header(datagram.bytes);
  if (!header) {
    count_malformed(datagram, wire::describe_datagram(datagram.bytes));
  } else if (header->is_reply && header->command() == wire::Command::kException &&
             header->seq == session_.exception_seq) {
    ++stats_.acks;
    ++session_.exception_seq;
    notification_.reset();
    state_ = State::kServing;
    session_.halted = true;
    return;
  } else {
    drop(stats_.dropped_awaiting_ack,
         "kdp: discarded while waiting for the exception ack: " + wire::describe_datagram(datagram.bytes));
  }
  // xnu stops polling at the first datagram, whatever it was, spins 2.5 ms and sends again.
  Notification& n = *notification_;
  if (now < n.poll_end) {
    n.poll_end = now;
    n.next_send = now + kAckSpin;
  }
}

void StubEngine::on_ack_deadline(Time now) {
  if (notification_->transmissions < kMaxExceptionTransmissions) {
    send_notification(now);
    return;
  }
  ++stats_.ack_timeouts;
  log("kdp: exception ack timeout");
  notification_.reset();
  disconnect_session();  // kdp_reset
  leave_debugger(now);   // breakpoints removed, the kernel continues
}

}  // namespace kdp::stub
