// Session requests (xnu kdp.c): CONNECT, DISCONNECT, REATTACH, RESUMECPUS, HOSTREBOOT.
#include "kdp/stub/stub_engine.h"

namespace kdp::stub {

using wire::KdpError;

std::optional<StubEngine::Reply> StubEngine::on_connect(const wire::Packet& rq) {
  const auto* c = std::get_if<wire::ConnectRequest>(&rq.body);
  if (c == nullptr) return std::nullopt;
  const wire::Header& h = rq.header;
  Reply reply = reply_to(rq, wire::ErrorReply{0});
  reply.port = c->reply_port;  // CONNECT replies go to the port in its own payload
  if (session_.connected && config_.quirks.no_sequence_check) {
    breakpoints_.remove_all(memory_);  // a CONNECT while connected starts over
    log("kdp: CONNECT while connected: connected again");
    session_ = Session{};
    session_.halted = true;
  }
  if (session_.connected) {
    bool duplicate = h.seq == session_.conn_seq && c->reply_port == session_.reply_port &&
                     c->exc_port == session_.exc_port && h.key == session_.key;
    if (!duplicate) {
      reply.packet.body = wire::ErrorReply{static_cast<uint32_t>(KdpError::kAlreadyConnected)};
      reply.sideband = true;
      log("kdp: CONNECT while connected: KDPERR_ALREADY_CONNECTED");
    }
    return reply;
  }
  session_.reply_port = c->reply_port;
  session_.exc_port = c->exc_port;
  session_.connected = true;
  session_.conn_seq = h.seq;
  session_.key = h.key;
  log("kdp: connected, reply port " + std::to_string(c->reply_port) + ", exception port " +
      std::to_string(c->exc_port) + ", greeting \"" + c->greeting + "\"");
  return reply;
}

std::optional<StubEngine::Reply> StubEngine::on_disconnect(const wire::Packet& rq) {
  if (!session_.connected) return std::nullopt;
  Reply reply = reply_to(rq, wire::Empty{});  // to the stored reply port, before it is cleared
  disconnect_session();
  if (noresume_on_disconnect_) {  // DUMPINFO asked to stay in the debugger
    reattach_wait_ = true;
    noresume_on_disconnect_ = false;
  }
  return reply;
}

std::optional<StubEngine::Reply> StubEngine::on_reattach(const wire::Packet& rq) {
  const auto* r = std::get_if<wire::ReattachRequest>(&rq.body);
  if (r == nullptr) return std::nullopt;
  if (session_.connected && config_.quirks.reattach_only_waiting) {
    log("kdp: REATTACH while connected: ignored");
    return std::nullopt;
  }
  // kdp_reattach: force "connected", run the DISCONNECT logic, answer the REATTACH's own port and
  // wait for a fresh CONNECT without resuming.
  session_.connected = true;
  auto reply = on_disconnect(rq);
  reply->port = r->reply_port;
  reattach_wait_ = true;
  log("kdp: REATTACH: session dropped");
  return reply;
}

std::optional<StubEngine::Reply> StubEngine::on_resume(const wire::Packet& rq) {
  session_.halted = false;  // cpu_mask is ignored, as in xnu
  return reply_to(rq, wire::Empty{});
}

std::optional<StubEngine::Reply> StubEngine::on_reboot(Time now) {
  reboot(now);
  return std::nullopt;
}

}  // namespace kdp::stub
