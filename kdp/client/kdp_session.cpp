#include "kdp/client/kdp_session.h"

#include <random>

#include "kdp/client/kernel_version.h"

namespace kdp::client {
namespace {

constexpr std::string_view kGreeting = "Greetings from kdpctl";
constexpr int kHandshakeRetries = 2;

uint32_t random_key() {
  std::random_device device;
  return static_cast<uint32_t>(device());
}

EngineConfig engine_config(const SessionSetup& setup) {
  EngineConfig config;
  config.target = setup.target;
  config.retry = setup.options.retry;
  config.first_key = setup.first_key.value_or(random_key());
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

std::string KdpSession::label() const { return setup_.host + ":" + std::to_string(setup_.target.port); }

Status KdpSession::attach(AttachMode mode) {
  Status done = handshake(mode);
  // A kernel that answered REATTACH and CONNECT and then falls silent was most likely reset by a
  // delayed duplicate of our own REATTACH (spec §4.4) or rewound by one of our CONNECT (§4.3).
  // Nothing is lost yet, so start over (the duplicates drain meanwhile).
  for (int retry = 0; retry < kHandshakeRetries && mode == AttachMode::kReattach && !done &&
                      done.error().kind() == ErrorKind::kTimeout && handshake_connected_;
       ++retry)
    done = handshake(mode);
  if (!done) return std::move(done).error().context((mode == AttachMode::kReattach ? "reattach " : "connect ") + label());
  return {};
}

Status KdpSession::handshake(AttachMode mode) {
  ClientEngine& engine = link_.engine();
  uint16_t port = link_.transport().local().port;
  breakpoints_.clear();
  handshake_connected_ = false;
  if (mode == AttachMode::kReattach) {
    // Spec §4.4: REATTACH (seq 0) kicks out whoever holds the kernel and leaves it waiting for a
    // CONNECT with seq 0; it also removes every kernel-managed breakpoint.
    engine.restart_sequence();
    KDP_TRY_STATUS(call(wire::Command::kReattach, wire::ReattachRequest{port}, false));
  }
  engine.restart_sequence();
  // One socket for replies and notifications, as LLDB does: both ports are ours.
  KDP_TRY(auto reply, call_for<wire::ErrorReply>(wire::Command::kConnect,
                                                 wire::ConnectRequest{port, port, std::string(kGreeting)}));
  if (reply.error == static_cast<uint32_t>(wire::KdpError::kAlreadyConnected))
    return Error(ErrorKind::kProtocol,
                 "KDP_CONNECT refused: KDPERR_ALREADY_CONNECTED (another debugger holds the kernel; "
                 "reattach takes it over)");
  KDP_TRY_STATUS(check_kdp_error(wire::Command::kConnect, reply.error));
  handshake_connected_ = true;
  engine.reset_notifications();
  running_ = false;
  closed_ = false;
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
  KDP_TRY(auto max_bytes, call_for<wire::MaxBytesReply>(wire::Command::kMaxBytes, wire::Empty{}));
  info_.max_bytes = max_bytes.max_bytes;
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

namespace {

// Requests that only look: memory, registers and target queries. Everything else may change what a
// read returns (even a read of I/O ports has device side effects), or lets the kernel run.
bool is_pure_query(wire::Command command) {
  using wire::Command;
  switch (command) {
    case Command::kHostInfo:
    case Command::kVersion:
    case Command::kMaxBytes:
    case Command::kReadMem:
    case Command::kReadMem64:
    case Command::kReadPhysMem64:
    case Command::kReadRegs:
    case Command::kReadMsr64:
    case Command::kKernelVersion:
    case Command::kRegions:
    case Command::kImagePath:
    case Command::kDumpInfo:  // this session only sends GETINFO
      return true;
    default:
      return false;
  }
}

}  // namespace

void KdpSession::note_request(wire::Command command) {
  // Bumped before sending: a request whose reply is lost may still have taken effect.
  if (!is_pure_query(command)) ++generation_;
}

Expected<wire::Packet> KdpSession::call(wire::Command command, wire::Body body, bool idempotent) {
  note_request(command);
  RequestSpec spec(command, std::move(body));
  spec.idempotent = idempotent;
  return link_.request(std::move(spec));
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
  return s;
}

}  // namespace kdp::client
