#include "kdp/client/kdp_session.h"

#include <random>

#include "kdp/client/kernel_version.h"

namespace kdp::client {
namespace {

uint32_t random_key() {
  std::random_device device;
  return static_cast<uint32_t>(device());
}

EngineConfig engine_config(const SessionSetup& setup) {
  EngineConfig config;
  config.target = setup.target;
  config.retry = setup.options.retry;
  config.first_key = setup.first_key.value_or(random_key());
  // A resumed conversation's keys go on where the earlier process stopped: its late replies are
  // then stale, never taken for ours.
  if (setup.options.resume) config.first_key = setup.options.resume->next_key;
  config.trace = setup.options.packet_log;
  return config;
}

}  // namespace

Status check_kdp_error(wire::Command command, uint32_t error) {
  if (error == 0) return {};
  return Error(ErrorKind::kProtocol, wire::command_name(command) + " failed: " + wire::error_name(error));
}

Expected<std::unique_ptr<Session>> open_session(std::unique_ptr<Transport> transport, SessionSetup setup,
                                                AttachMode mode) {
  auto session = std::make_unique<KdpSession>(std::move(transport), std::move(setup));
  KDP_TRY_STATUS(session->attach(mode));
  return std::unique_ptr<Session>(std::move(session));
}

KdpSession::KdpSession(std::unique_ptr<Transport> transport, SessionSetup setup)
    : link_(std::move(transport), engine_config(setup), setup.options.interrupt), setup_(std::move(setup)) {
  info_.host = setup_.host;
  info_.address = to_string(setup_.target);
}

std::string KdpSession::label() const {
  bool v6 = setup_.host.find(':') != std::string::npos;  // an IPv6 address: "[::1]:41139"
  return (v6 ? "[" + setup_.host + "]" : setup_.host) + ":" + std::to_string(setup_.target.port);
}

Status KdpSession::attach(AttachMode mode) {
  Time deadline = link_.now() + setup_.options.attach_deadline.value_or(setup_.options.retry.deadline);
  mode_ = mode;
  attaching_ = true;
  Status done = attach_steps(mode, deadline);
  attaching_ = false;
  attached_at_ = link_.now();
  if (!done) return std::move(done).error().context((mode == AttachMode::kReattach ? "reattach " : "connect ") + label());
  return {};
}

Status KdpSession::attach_steps(AttachMode mode, Time deadline) {
  // Either mode goes on with a conversation of our own: it is not another debugger's to take
  // over or to be refused by. A resumed plain CONNECT still never takes over someone else's
  // (take_back refuses in kConnect mode).
  if (setup_.options.resume && !setup_.options.take_over) {
    KDP_TRY(bool went_on, go_on(*setup_.options.resume, deadline));
    if (went_on) return {};
  }
  Status shaken = handshake(mode, deadline);
  if (!shaken && setup_.options.resume && unanswered_reattach_) {
    KDP_TRY(bool went_on, go_on_after_ignored_reattach(*setup_.options.resume, shaken.error(), deadline));
    if (went_on) return {};
    shaken = handshake(mode, deadline);  // it answers neither: REATTACH again until the deadline
  }
  KDP_TRY_STATUS(shaken);
  return query_target();
}

Status KdpSession::query_target() {
  KDP_TRY(auto version, call_for<wire::VersionReply>(wire::Command::kVersion, wire::Empty{}));
  info_.version = version.version;
  info_.feature = version.feature;
  KDP_TRY(info_.host_info, call_for<wire::HostInfoReply>(wire::Command::kHostInfo, wire::Empty{}));
  if (info_.version >= 11) {  // KERNELVERSION and the 64-bit requests came with protocol 11
    KDP_TRY(auto text, call_for<wire::KernelVersionReply>(wire::Command::kKernelVersion, wire::Empty{}));
    info_.kernel_version = text.version;
    KernelVersionFields fields = parse_kernel_version(text.version);
    info_.uuid = fields.uuid;
    info_.stext = fields.stext;
  }
  auto max_bytes = call_for<wire::MaxBytesReply>(wire::Command::kMaxBytes, wire::Empty{});
  if (max_bytes) {
    info_.max_bytes = max_bytes->max_bytes;
    return {};
  }
  // Older kernels and some third-party stubs drop requests they do not know (spec §3.4). A kernel
  // that answers everything else but not MAXBYTES gets the protocol's own limit.
  if (!ignored_)
    return std::move(max_bytes).error();
  info_.max_bytes = wire::kMaxDataSize;
  if (setup_.options.packet_log)
    setup_.options.packet_log("   no reply to KDP_MAXBYTES: using the protocol's default of " +
                              std::to_string(wire::kMaxDataSize) + " bytes");
  return {};
}

Status KdpSession::usable() {
  if (closed_) return usage_error("the session to " + label() + " is closed");
  KDP_TRY_STATUS(check_for_stop());
  if (running_)
    return usage_error("the kernel at " + label() +
                       " is running: KDP cannot interrupt it, wait for it to stop (a breakpoint, NMI)");
  return {};
}

void KdpSession::note_request(wire::Command command) {
  // Bumped before sending: a request whose reply is lost may still have taken effect.
  if (!is_pure_query(command)) ++generation_;
}

Expected<wire::Packet> KdpSession::call(wire::Command command, wire::Body body, bool idempotent) {
  note_request(command);
  RequestSpec spec(command, std::move(body));
  spec.idempotent = idempotent;
  return call_recovering(std::move(spec));
}

SessionStats KdpSession::stats() const {
  const EngineStats& e = link_.engine().stats();
  SessionStats s;
  s.requests = e.requests;
  s.transmissions = e.transmissions;
  s.retransmissions = e.retransmissions;
  s.replies = e.replies;
  s.discarded = e.discarded;
  s.exceptions = e.exceptions;
  s.acks = e.acks;
  s.resyncs = e.resyncs;
  s.redundant = e.redundant;
  s.rto = link_.engine().rto().rto();
  s.srtt = link_.engine().rto().srtt().value_or(Duration::zero());
  s.recoveries = recoveries_;
  return s;
}

}  // namespace kdp::client
