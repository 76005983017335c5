// The one recovery policy of the client (spec §2.3, §4.3, §4.4), inside the library so that the
// deterministic simulation runs it:
// * handshake: REATTACH, then CONNECT. A CONNECT that goes unanswered or is refused with
//   ALREADY_CONNECTED right after our own REATTACH met a delayed CONNECT of an earlier debugger
//   process (the kernel connected to that dead port and replays its reply there, or refuses
//   ours): REATTACH again. The whole handshake shares one deadline.
// * silence while stopped: an idempotent request that goes unanswered for a few round trips may
//   have met a kernel that a delayed duplicate of a REATTACH (ours or an earlier process's)
//   reset. A retransmission of our own CONNECT (same seq 0, ports and key) tells: the kernel
//   treats it as a retransmission if it is still ours (spec §4.3) and as a new CONNECT if it was
//   reset; either way it then expects seq 1, breakpoints it dropped are set again and the
//   request is repeated. ALREADY_CONNECTED means someone else holds the kernel: see take_back.
// * a resume that goes unanswered: the same CONNECT tells a kernel that never ran (it answers)
//   from one that runs (silence); see resumed_or_regained.
#include "kdp/client/kdp_session.h"

namespace kdp::client {
namespace {

using wire::Command;
using wire::KdpError;

constexpr std::string_view kGreeting = "Greetings from kdpctl";
// Transmissions of a CONNECT right after our REATTACH before the REATTACH is repeated.
constexpr int kConnectAttempts = 4;
// Not 0 and far from the seqs a young session uses (see handshake).
constexpr uint8_t kConnectedProbeSeq = 0x80;
// CONNECTs refused with ALREADY_CONNECTED right after our REATTACH before the handshake gives up:
// delayed CONNECTs of a dead process run out; a live debugger that keeps connecting does not.
constexpr int kMaxRefusals = 4;
// REATTACH-CONNECT rounds before the handshake gives up even with time left:
// the deadline alone does not bound the loop when the transport's clock stands still.
constexpr int kMaxRounds = 16;

bool is_refusal(uint32_t error) { return error == static_cast<uint32_t>(KdpError::kAlreadyConnected); }

Duration remaining(Time deadline, Time now) { return std::max(Duration::zero(), deadline - now); }

}  // namespace

RequestSpec KdpSession::connect_spec() const {
  uint16_t port = link_.transport().local().port;
  // One socket for replies and notifications, as LLDB does: both ports are ours.
  RequestSpec spec(Command::kConnect, wire::ConnectRequest{port, port, std::string(kGreeting)});
  spec.idempotent = false;
  return spec;
}

Expected<uint32_t> KdpSession::connect_once(Time deadline, std::optional<int> max_attempts) {
  RequestSpec spec = connect_spec();
  spec.deadline = remaining(deadline, link_.now());
  spec.max_attempts = max_attempts;
  Completion done = link_.run(std::move(spec));
  KDP_TRY(wire::Packet reply, std::move(done.reply));
  if (auto* body = std::get_if<wire::ErrorReply>(&reply.body)) return body->error;
  return Error(ErrorKind::kProtocol, "KDP_CONNECT: unexpected reply layout");
}

// The remembered round trip speeds up everything after the first REATTACH. That one keeps its own
// pace (see first_reattach_interval): every needless copy of a REATTACH that a reordering link
// holds back may land after this process is gone and silently reset the kernel under the next
// debugger (spec §4.4).
void KdpSession::seed_rtt() {
  if (rtt_seeded_) return;
  rtt_seeded_ = true;
  if (setup_.options.remembered_rtt) link_.engine().remember_rtt(*setup_.options.remembered_rtt);
}

// A fresh process's first REATTACH, when an earlier one measured this target: retransmitted at a
// fixed pace far above the round trip (no needless copies that a reordering link could hold back
// and deliver late) but far below the unmeasured 200 ms RTO doubling to seconds, where a few lost
// datagrams in a row stalled a one-shot command for 3 s (bench/cli_bench.sh, 20 % loss).
std::optional<Duration> KdpSession::first_reattach_interval() const {
  if (rtt_seeded_ || !setup_.options.remembered_rtt) return std::nullopt;
  constexpr Duration kFloor = std::chrono::milliseconds(50);
  return std::max(kFloor, 8 * *setup_.options.remembered_rtt);
}

Status KdpSession::handshake(AttachMode mode, Time deadline) {
  ClientEngine& engine = link_.engine();
  uint16_t port = link_.transport().local().port;
  breakpoints_.clear();
  handshake_connected_ = false;
  int refusals = 0;
  for (int round = 1;; ++round) {
    if (mode == AttachMode::kReattach) {
      // Spec §4.4: REATTACH (seq 0) kicks out whoever holds the kernel and leaves it waiting for
      // a CONNECT with seq 0; it also removes every kernel-managed breakpoint.
      engine.restart_sequence();
      RequestSpec reattach(Command::kReattach, wire::ReattachRequest{port});
      reattach.deadline = remaining(deadline, link_.now());
      reattach.retransmit_every = first_reattach_interval();
      // A conversation to go on with if the kernel ignores REATTACH: it is tried after a few
      // attempts, not after the whole deadline.
      if (conversation_to_fall_back_on()) reattach.max_attempts = kSilentAttempts;
      Completion sent = link_.run(std::move(reattach));
      unanswered_reattach_ = !sent.reply && sent.reply.error().kind() == ErrorKind::kTimeout;
      KDP_TRY_STATUS(sent.reply);
    }
    seed_rtt();
    engine.restart_sequence();
    bool retry = mode == AttachMode::kReattach;
    auto error = connect_once(deadline, kConnectAttempts);
    if (!error && !retry && error.error().kind() == ErrorKind::kTimeout) {
      // A kernel that another debugger connected to a moment ago expects seq 1 and replays its
      // CONNECT reply to that debugger for our seq 0. Under another seq it answers our CONNECT
      // with ALREADY_CONNECTED (spec §2.3 rule 4); a kernel waiting for a debugger ignores that.
      engine.use_seq(kConnectedProbeSeq);
      error = connect_once(deadline, kConnectAttempts);
    }
    bool time_left = link_.now() < deadline;
    if (!error) {
      bool again = error.error().kind() == ErrorKind::kTimeout && time_left && round < kMaxRounds;
      if (!again) return std::move(error).error();
      continue;  // REATTACH (or CONNECT) again: a delayed CONNECT of an earlier debugger may hold the kernel
    }
    if (is_refusal(*error)) {
      if (!retry)
        return Error(ErrorKind::kProtocol,
                     "KDP_CONNECT refused: KDPERR_ALREADY_CONNECTED (another debugger holds the kernel; "
                     "reattach takes it over)");
      if (++refusals < kMaxRefusals && time_left) continue;
      return Error(ErrorKind::kProtocol,
                   "another debugger keeps connecting to the kernel: KDP_CONNECT was refused with "
                   "KDPERR_ALREADY_CONNECTED right after our KDP_REATTACH " +
                       std::to_string(refusals) + " times");
    }
    KDP_TRY_STATUS(check_kdp_error(Command::kConnect, *error));
    break;
  }
  handshake_connected_ = true;
  engine.reset_notifications();
  running_ = false;
  closed_ = false;
  return {};
}

// Breakpoint requests are not idempotent on the wire (a second SET answers ALREADY_SET), but
// after the session regained a silent kernel they may be repeated: the caller accepts that answer
// (kernel_breakpoint).
static bool repeatable_after_regain(Command command) {
  return command == Command::kBreakpointSet64 || command == Command::kBreakpointRemove64 ||
         command == Command::kBreakpointSet || command == Command::kBreakpointRemove;
}

Status KdpSession::settle_recovering() {
  ClientEngine& engine = link_.engine();
  for (int i = 0; i < 4 && (engine.next_seq() == 255 || !engine.seq_certain()); ++i)
    KDP_TRY_STATUS(call_recovering(RequestSpec(Command::kVersion)));
  return {};
}

Expected<wire::Packet> KdpSession::call_recovering(RequestSpec spec) {
  ignored_ = false;
  bool recoverable = spec.idempotent || repeatable_after_regain(spec.command);
  if (!recoverable || !handshake_connected_ || running_) return link_.request(std::move(spec));
  if (!spec.idempotent) KDP_TRY_STATUS(settle_recovering());
  const RetryPolicy& policy = setup_.options.retry;
  Time deadline = link_.now() + spec.deadline.value_or(policy.deadline);
  for (int regained = 0;; ++regained) {
    RequestSpec attempt = spec;
    attempt.deadline = remaining(deadline, link_.now());
    if (!attempt.max_attempts) attempt.max_attempts = silent_attempts(policy);
    auto reply = link_.request(std::move(attempt));
    if (reply || reply.error().kind() != ErrorKind::kTimeout) return reply;
    if (regained == kMaxRegains) {
      // The kernel answered our CONNECT each time, and never this request. A request the kernel
      // does not know takes no seq (spec §3.4): it expects the one this request was sent under,
      // so the conversation can still be kept for the next process.
      ignored_ = true;
      link_.engine().use_seq(link_.engine().next_seq());
      return Error(ErrorKind::kTimeout, reply.error().message() + " (the kernel answers KDP_CONNECT but not " +
                                            wire::command_name(spec.command) + ")");
    }
    if (link_.now() >= deadline) return reply;
    KDP_TRY_STATUS(regain(reply.error(), deadline));
  }
}

bool KdpSession::conversation_to_fall_back_on() const {
  return setup_.options.resume && setup_.options.take_over && !fallback_tried_;
}

Status KdpSession::regain(const Error& silence, Time deadline, std::optional<int> attempts) {
  ClientEngine& engine = link_.engine();
  std::optional<uint32_t> key = engine.connect_key();
  if (!key) return silence;
  if (setup_.options.packet_log)
    setup_.options.packet_log("   the kernel fell silent: retransmitting our KDP_CONNECT to find out why");
  engine.rewind_for_connect();
  RequestSpec probe = connect_spec();
  probe.key = *key;  // the kernel must see a retransmission of the CONNECT that opened the session
  probe.deadline = remaining(deadline, link_.now());
  probe.max_attempts = attempts;
  Completion done = link_.run(std::move(probe));
  if (!done.reply)
    return Error(done.reply.error().kind(), silence.message() + "; then " + done.reply.error().message());
  const auto& log = setup_.options.packet_log;
  if (done.still_ours) {  // nothing was reset: notifications and breakpoints stand
    if (log) log("   regained: the kernel still serves this session; its expected seq had moved on");
    ++recoveries_;
    return {};
  }
  auto* body = std::get_if<wire::ErrorReply>(&done.reply->body);
  if (body != nullptr && is_refusal(body->error)) return take_back(silence, deadline);
  if (body == nullptr || body->error != 0)
    return Error(ErrorKind::kProtocol, silence.message() + "; then KDP_CONNECT failed: " +
                                           (body ? wire::error_name(body->error) : "unexpected reply layout"));
  if (log)
    log("   regained: the kernel answered our KDP_CONNECT (it had lost this session's sequence or dropped the "
        "session: stray datagrams, a REATTACH, a restart); going on under seq 1");
  ++recoveries_;
  engine.reset_notifications();
  KDP_TRY_STATUS(check_same_kernel(silence));
  return reinsert_kernel_breakpoints();
}

// A kernel that took our CONNECT as a new one was waiting for a debugger: reset by a delayed
// REATTACH, or restarted. A restarted Mac may run another kernel (an update), whose memory the
// symbols and types of this session would misread: ask, and end the session if it changed.
Status KdpSession::check_same_kernel(const Error& silence) {
  if (info_.version < 11 || info_.kernel_version.empty()) return {};  // nothing known to compare
  KDP_TRY(wire::Packet reply, link_.request(RequestSpec(Command::kKernelVersion)));
  const auto* text = std::get_if<wire::KernelVersionReply>(&reply.body);
  if (text == nullptr) return Error(ErrorKind::kProtocol, "KDP_KERNELVERSION: unexpected reply layout");
  if (text->version == info_.kernel_version) return {};
  closed_ = true;
  ++generation_;
  return Error(ErrorKind::kProtocol, silence.message() + "; then the kernel answered our KDP_CONNECT as another "
                                         "kernel (it restarted?): now \"" + text->version +
                                         "\"; reattach (with that kernel's file)");
}

// Someone else holds the kernel. While still attaching (reattach takes the kernel over anyway),
// or within SessionOptions::retake_window of it, the holder is most likely a delayed CONNECT of
// an earlier process that a delayed REATTACH let in: take the kernel again, keeping our
// breakpoints. Later it is another debugger, and it is not fought over (two debuggers that take
// the kernel back from each other would both fail slowly).
Status KdpSession::take_back(const Error& silence, Time deadline) {
  bool young = attaching_ || link_.now() - attached_at_ < setup_.options.retake_window;
  if (!young || mode_ != AttachMode::kReattach)
    return Error(ErrorKind::kProtocol, "another debugger took the kernel away (" + silence.message() +
                                           "; then the kernel refused our KDP_CONNECT with KDPERR_ALREADY_CONNECTED)");
  if (setup_.options.packet_log)
    setup_.options.packet_log("   our KDP_CONNECT was refused right after we attached: reattaching");
  auto kept = std::move(breakpoints_);
  Status done = handshake(AttachMode::kReattach, deadline);
  breakpoints_ = std::move(kept);
  KDP_TRY_STATUS(done);
  ++recoveries_;
  return reinsert_kernel_breakpoints();
}

// A kernel that was reset dropped the breakpoints it managed (spec §4.4); one that only saw a
// retransmitted CONNECT kept them and answers KDPERR_BREAKPOINT_ALREADY_SET. Our 0xCC bytes stay
// in memory either way.
Status KdpSession::reinsert_kernel_breakpoints() {
  for (auto& [address, breakpoint] : breakpoints_) {
    if (!breakpoint.kernel_managed || !breakpoint.inserted) continue;
    KDP_TRY(uint32_t error, kernel_breakpoint(Command::kBreakpointSet64, address));
    if (error == static_cast<uint32_t>(KdpError::kBreakpointAlreadySet)) continue;
    KDP_TRY_STATUS(check_kdp_error(Command::kBreakpointSet64, error));
  }
  return {};
}

// RESUMECPUS went unanswered and no stop came: did the kernel run? A running kernel does not
// listen; a stopped one that a delayed REATTACH reset before RESUMECPUS reached it waits for a
// CONNECT. True: it runs (or already stopped again: the stop is queued). False: it never ran and
// the session is connected again.
Expected<bool> KdpSession::resumed_or_regained(const Error& unanswered, Time deadline) {
  ClientEngine& engine = link_.engine();
  std::optional<uint32_t> key = engine.connect_key();
  if (!key) return true;
  engine.rewind_for_connect();
  RequestSpec probe = connect_spec();
  probe.key = *key;
  probe.deadline = remaining(deadline, link_.now());
  probe.max_attempts = kSilentAttempts;
  Completion done = link_.run(std::move(probe));
  if (engine.has_stop()) return true;
  // Still ours, unchanged: it ran if the reply it replayed was our RESUMECPUS's.
  if (done.still_ours) return *done.still_ours == Command::kResumeCpus;
  if (!done.reply) {
    if (done.reply.error().kind() != ErrorKind::kTimeout) return std::move(done.reply).error();
    return true;
  }
  auto* body = std::get_if<wire::ErrorReply>(&done.reply->body);
  if (body != nullptr && is_refusal(body->error)) {
    KDP_TRY_STATUS(take_back(unanswered, deadline));
    return false;
  }
  if (body == nullptr || body->error != 0) return true;
  ++recoveries_;
  engine.reset_notifications();
  KDP_TRY_STATUS(reinsert_kernel_breakpoints());
  return false;
}

}  // namespace kdp::client
