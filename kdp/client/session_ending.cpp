// Ending a session: DISCONNECT and HOSTREBOOT, and finding out whether they took effect. Neither
// can be retransmitted blindly (a kernel that resumed or restarted does not answer), so each lost
// packet is told from a delivered one by asking the kernel from this session's own socket: a
// second "probe" socket would be one more debugger for the kernel to confuse with us.
#include "kdp/client/kdp_session.h"

namespace kdp::client {
namespace {

using wire::Command;
using wire::KdpError;

// A stopped kernel answers within this even on a bad link; a running or restarting one never.
constexpr Duration kConfirmWait = std::chrono::seconds(5);
constexpr int kDisconnectRounds = 4;
constexpr int kRebootRounds = 8;
// The REATTACH that asks whether the machine restarts: at 20 % loss each way, 16 transmissions
// all go unanswered with a probability of 1e-7; and the question must be over long before any
// real machine is back up (a Mac takes tens of seconds).
constexpr int kRebootProbeAttempts = 16;
constexpr Duration kRebootProbeWait = std::chrono::milliseconds(1500);

bool timed_out(const Error& error) { return error.kind() == ErrorKind::kTimeout; }

}  // namespace

// The kernel resumes right after it replies to DISCONNECT (spec §4.5), so a lost reply looks
// exactly like a lost request. Only a stopped kernel answers a REATTACH: if it does, DISCONNECT
// never arrived and is sent again from a fresh handshake; if nothing answers, the kernel runs.
Status KdpSession::disconnect() {
  KDP_TRY_STATUS(usable());
  for (int round = 1;; ++round) {
    auto reply = final_request(Command::kDisconnect, 3);
    if (reply) return {};
    if (!timed_out(reply.error()) || round == kDisconnectRounds)
      return std::move(reply).error().context("disconnect " + label() + " (the kernel may have resumed anyway)");
    KDP_TRY(bool stopped, still_stopped(link_.now() + kConfirmWait));
    if (!stopped) return {};
  }
}

Expected<bool> KdpSession::still_stopped(Time deadline) {
  if (setup_.options.packet_log)
    setup_.options.packet_log("   no reply to KDP_DISCONNECT: a KDP_REATTACH tells a stopped kernel from a running one");
  Status again = handshake(AttachMode::kReattach, deadline);
  if (again) return true;
  if (timed_out(again.error())) return false;
  return std::move(again).error().context("after KDP_DISCONNECT went unanswered");
}

// HOSTREBOOT has no reply (spec §3.3), so every one sent is followed by the question whether the
// machine restarts: one that still answers after the last is an error, never a success.
Status KdpSession::reboot() {
  KDP_TRY_STATUS(usable());
  for (int round = 1;; ++round) {
    auto sent = final_request(Command::kHostReboot, 1);
    if (!sent && !timed_out(sent.error())) return std::move(sent).error().context("reboot " + label());
    KDP_TRY(bool listening, answers_reattach());
    if (!listening) return {};
    if (round == kRebootRounds)
      return Error(ErrorKind::kTimeout, "reboot " + label() + ": the kernel did not restart after " +
                                            std::to_string(kRebootRounds) +
                                            " KDP_HOSTREBOOTs (each lost on the way: it still answers KDP_REATTACH)");
  }
}

// A restarting machine answers nothing. A kernel that still answers a REATTACH did not get the
// HOSTREBOOT, whether it was still ours or a delayed REATTACH had reset it meanwhile (a CONNECT
// could not tell that kernel from a freshly booted one); the REATTACH leaves it waiting for a
// debugger, where it takes the next HOSTREBOOT under any seq (spec §2.3 rule 1).
Expected<bool> KdpSession::answers_reattach() {
  ClientEngine& engine = link_.engine();
  engine.restart_sequence();
  RequestSpec reattach(Command::kReattach, wire::ReattachRequest{link_.transport().local().port});
  reattach.max_attempts = kRebootProbeAttempts;
  reattach.deadline = kRebootProbeWait;
  Completion done = link_.run(std::move(reattach));
  if (done.reply) return true;
  if (timed_out(done.reply.error())) return false;
  return std::move(done.reply).error().context("reboot " + label());
}

}  // namespace kdp::client
