// Going on with the conversation an earlier process left with a stopped kernel (ResumePoint):
// one-shot kdpctl commands then cost one round trip to set up instead of a six-round-trip
// handshake, and send no REATTACH, whose delayed copies can reset the kernel under the next
// command. The first request proves the kernel still serves the conversation: it answers only
// under the seq it expects, and replies only to the conversation's port, which this process now
// holds. A kernel that rebooted, was reset, or serves another debugger stays silent, and the
// usual handshake takes over.
#include "kdp/client/kdp_session.h"

#include "kdp/client/kernel_version.h"

namespace kdp::client {
namespace {

using wire::Command;

// Transmissions of the first request before the conversation counts as lost: six lost round
// trips in a row happen 0.2 % of the time at 20 % loss each way, and then cost one CONNECT.
constexpr int kGoOnAttempts = 6;
// ... repeated at the remembered round trip's timeout without backing off: a pure query, so a
// needless copy costs nothing, and a conversation that is gone is found out within ~6 RTOs.
constexpr Duration kGoOnPaceFloor = std::chrono::milliseconds(2);

// Seq 0 and 255 are where the kernel's rules have gaps (spec §2.3 rules 3 and 5).
bool resumable_seq(uint8_t seq) { return seq != 0 && seq != 255; }

}  // namespace

Expected<bool> KdpSession::go_on(const ResumePoint& point, Time deadline) {
  if (!resumable_seq(point.next_seq)) return false;
  ClientEngine& engine = link_.engine();
  seed_rtt();
  engine.resume_conversation(point.next_seq, point.connect_key, point.next_notification);
  // KERNELVERSION also tells whether it is still the kernel the conversation was with.
  const bool has_text = point.target.version >= 11;
  RequestSpec probe(has_text ? Command::kKernelVersion : Command::kVersion);
  probe.max_attempts = kGoOnAttempts;
  probe.retransmit_every = std::max(kGoOnPaceFloor, engine.rto().rto());
  probe.deadline = std::max(Duration::zero(), deadline - link_.now());
  Completion done = link_.run(std::move(probe));
  const auto& log = setup_.options.packet_log;
  if (!done.reply) {
    if (done.reply.error().kind() != ErrorKind::kTimeout) return std::move(done.reply).error();
    return reconnect_or_not(done.reply.error(), deadline);
  }
  info_.version = point.target.version;
  info_.feature = point.target.feature;
  info_.host_info = point.target.host_info;
  info_.max_bytes = point.target.max_bytes;
  info_.kernel_version = point.target.kernel_version;
  handshake_connected_ = true;
  resumed_ = true;
  if (has_text) {
    auto* text = std::get_if<wire::KernelVersionReply>(&done.reply->body);
    if (text == nullptr) return Error(ErrorKind::kProtocol, "KDP_KERNELVERSION: unexpected reply layout");
    if (text->version != point.target.kernel_version) {
      if (log) log("   the kernel is not the one of the last session: asking it again");
      KDP_TRY_STATUS(query_target());
    }
  }
  KernelVersionFields fields = parse_kernel_version(info_.kernel_version);
  info_.uuid = fields.uuid;
  info_.stext = fields.stext;
  return true;
}

// The first request went unanswered: lost datagrams, or a kernel that no longer serves the
// conversation. A retransmission of the conversation's CONNECT (spec §4.3; session_recovery.cpp)
// tells in one round trip: a kernel that still serves it, or that waits for a debugger, answers
// it (a waiting one may have rebooted, so everything is asked again); one that another debugger
// holds refuses it and is taken over. Silence: the usual handshake.
Expected<bool> KdpSession::reconnect_or_not(const Error& silence, Time deadline) {
  const auto& log = setup_.options.packet_log;
  Status regained = regain(silence, deadline);
  if (!regained) {
    if (regained.error().kind() != ErrorKind::kTimeout) return std::move(regained).error();
    if (log) log("   no answer in the last session's conversation: attaching afresh");
    return false;
  }
  handshake_connected_ = true;
  resumed_ = true;
  KDP_TRY_STATUS(query_target());
  return true;
}

// SessionOptions::take_over: the REATTACH went unanswered from the conversation's own port. A
// kernel that is not listening ignores its CONNECT too; a stub that answers REATTACH only while
// nobody is connected (LLDBagility's kdpserver.py) answers it, and the session goes on with it.
Expected<bool> KdpSession::go_on_after_ignored_reattach(const ResumePoint& point, const Error& unanswered,
                                                        Time deadline) {
  fallback_tried_ = true;
  unanswered_reattach_ = false;
  const auto& log = setup_.options.packet_log;
  if (log) log("   KDP_REATTACH went unanswered: trying the last session's KDP_CONNECT");
  link_.engine().resume_conversation(point.next_seq, point.connect_key, point.next_notification);
  Status regained = regain(unanswered, deadline, kSilentAttempts);
  if (!regained) {
    if (regained.error().kind() != ErrorKind::kTimeout) return std::move(regained).error();
    return false;
  }
  if (log)
    log("   the target ignored KDP_REATTACH while connected and answered the last session's KDP_CONNECT "
        "(a third-party stub such as LLDBagility's kdpserver.py): going on with that session");
  handshake_connected_ = true;
  resumed_ = true;
  KDP_TRY_STATUS(query_target());
  return true;
}

std::optional<ResumePoint> KdpSession::resume_point() const {
  const ClientEngine& engine = link_.engine();
  if (closed_ || running_ || !handshake_connected_ || early_stop_ || engine.busy() || engine.has_stop()) return std::nullopt;
  // A hazard (a late REATTACH reply: usually a duplicated reply, rarely a reset kernel) does not
  // stop it: a kernel that was reset ignores the next process's first request, which then
  // attaches afresh; refusing would make every duplicated REATTACH reply cost a handshake.
  if (!engine.seq_certain() || !resumable_seq(engine.next_seq())) return std::nullopt;
  std::optional<uint32_t> connect_key = engine.connect_key();
  if (!connect_key) return std::nullopt;
  ResumePoint point;
  point.local_port = link_.transport().local().port;
  point.next_seq = engine.next_seq();
  point.connect_key = *connect_key;
  point.next_key = engine.next_key();
  point.next_notification = engine.next_notification_seq();
  point.target = info_;
  point.target.host.clear();
  point.target.address.clear();
  return point;
}

}  // namespace kdp::client
