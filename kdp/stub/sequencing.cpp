// The sequence rules of kdp_udp.c (spec §2.3): the wait loop (kdp_connection_wait), the connected
// loop (kdp_handler), the cached last reply and kdp_packet's framing checks.
#include <cstring>

#include "kdp/stub/stub_engine.h"
#include "kdp/wire/codec.h"

namespace kdp::stub {
namespace {

using wire::Command;

// Codes with a kdp_unknown entry in xnu's dispatch table: no reply, no sequence advance.
bool is_unanswered(uint8_t code) {
  switch (static_cast<Command>(code)) {
    case Command::kLoad:
    case Command::kImagePath:
    case Command::kException:
    case Command::kTermination:
      return true;
    default:
      return code >= wire::kInvalidRequest;
  }
}

}  // namespace

Expected<StubEngine::RawHeader> StubEngine::peek_header(ByteView datagram) {
  ByteReader r(datagram, "KDP header");
  RawHeader h;
  KDP_TRY(uint8_t first, r.u8("request"));
  h.code = first & 0x7f;
  h.is_reply = (first & 0x80) != 0;
  KDP_TRY(h.seq, r.u8("seq"));
  KDP_TRY(h.len, r.u16("len"));
  KDP_TRY(h.key, r.u32("key"));
  return h;
}

void StubEngine::on_waiting(const Datagram& datagram, const RawHeader& header, Time now) {
  Command command = header.command();
  if (command == Command::kHostReboot && !header.is_reply) {  // honoured with any seq
    ++stats_.requests;
    reboot(now);
    return;
  }
  bool opens = (command == Command::kConnect || command == Command::kReattach) && !header.is_reply &&
               (header.seq == expected_seq_ || config_.quirks.no_sequence_check);
  if (!opens) {
    drop(stats_.dropped_not_connected,
         "kdp: not connected, ignored " + wire::describe_datagram(datagram.bytes));
    return;
  }
  dispatch(datagram, header, now);
  if (command == Command::kReattach) {
    reattach_wait_ = false;
    expected_seq_ = 0;
  }
  if (session_.connected) {
    state_ = State::kServing;
    session_.halted = true;
  }
}

void StubEngine::on_serving(const Datagram& datagram, const RawHeader& header, Time now) {
  if (header.is_reply) {
    drop(stats_.ignored_replies, "kdp: ignored reply " + wire::describe_datagram(datagram.bytes));
    return;
  }
  if (config_.quirks.no_sequence_check) {
    dispatch(datagram, header, now);
    if (state_ == State::kServing && !session_.halted) leave_debugger(now);
    return;
  }
  if (header.command() == Command::kReattach) expected_seq_ = header.seq;
  // Compared as int, like xnu: with E == 0 nothing matches E - 1 (the wrap-around gap).
  if (static_cast<int>(header.seq) == static_cast<int>(expected_seq_) - 1) {
    replay();
    return;
  }
  if (header.seq != expected_seq_ && header.command() != Command::kConnect) {
    drop(stats_.out_of_sequence,
         "kdp: bad sequence " + std::to_string(header.seq) + " (want " +
             std::to_string(expected_seq_) + ")");
    return;
  }
  dispatch(datagram, header, now);
  if (state_ == State::kServing && !session_.halted) leave_debugger(now);
}

void StubEngine::dispatch(const Datagram& datagram, const RawHeader& header, Time now) {
  if (header.len != datagram.bytes.size()) {
    count_malformed(datagram, "kdp_packet bad len pkt " + std::to_string(datagram.bytes.size()) +
                                  " hdr " + std::to_string(header.len));
    return;
  }
  uint8_t code = header.code;
  if (is_unanswered(code)) {
    ++stats_.unknown;
    log("kdp_unknown request " + hex(code) + " len " + std::to_string(header.len) + " seq " +
        std::to_string(header.seq) + " key " + hex(header.key));
    return;
  }
  auto request = wire::decode(datagram.bytes);
  if (!request) {
    count_malformed(datagram, request.error().message());
    return;
  }
  ++stats_.requests;
  if (auto reply = handle(*request, now)) send_reply(std::move(*reply), datagram.peer);
}

void StubEngine::send_reply(Reply reply, Endpoint host) {
  auto bytes = wire::encode(reply.packet);
  if (!bytes) {  // a bug in a handler, never the peer's doing
    log("kdp-sim: cannot encode " + wire::describe(reply.packet) + ": " + bytes.error().message());
    return;
  }
  host.port = reply.port;  // the reply goes to the request's address, at the port rules of spec §1.2
  Datagram out{host, std::move(*bytes)};
  remember(out.bytes);
  ++stats_.replies;
  if (reply.sideband) {
    ++stats_.already_connected;
    outgoing_.push_back(std::move(out));
    return;
  }
  // A CONNECT answered with NO_ERROR re-synchronises E to its seq (a duplicate CONNECT).
  if (reply.packet.header.command == Command::kConnect) expected_seq_ = reply.packet.header.seq;
  cached_reply_ = out;
  ++expected_seq_;
  outgoing_.push_back(std::move(out));
}

void StubEngine::replay() {
  ++stats_.replayed_replies;
  if (cached_reply_) outgoing_.push_back(*cached_reply_);
}

void StubEngine::drop(uint64_t& reason, std::string note) {
  ++stats_.dropped;
  ++reason;
  log(std::move(note));
}

void StubEngine::count_malformed(const Datagram& datagram, const std::string& why) {
  ++stats_.malformed;
  log("kdp: dropped malformed datagram from " + to_string(datagram.peer) + " (" +
      std::to_string(datagram.bytes.size()) + " bytes): " + why);
}

void StubEngine::remember(ByteView bytes) {
  if (bytes.empty()) return;  // data() may be null
  std::memcpy(packet_buffer_.data(), bytes.data(), std::min(bytes.size(), packet_buffer_.size()));
}

}  // namespace kdp::stub
