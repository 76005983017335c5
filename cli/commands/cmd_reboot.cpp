// kdpctl reboot: KDP_HOSTREBOOT (the kernel restarts the machine and never answers).
#include <ostream>
#include <string>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

// KDP_HOSTREBOOTs sent before reboot gives up: each one may be lost on a bad link.
constexpr int kMaxRounds = 8;

bool still_held(const Error& error) {
  return error.kind() == ErrorKind::kProtocol && error.message().find("KDPERR_ALREADY_CONNECTED") != std::string::npos;
}

// HOSTREBOOT has no reply, so a lost one is silent. A kernel that got it is rebooting (no answer)
// or, freshly booted, waiting for a debugger (CONNECT succeeds); one that did not is still held
// by our session and refuses a plain CONNECT with KDPERR_ALREADY_CONNECTED: then send it again.
// Every HOSTREBOOT sent is probed; one still held after the last is an error, never a success.
Status reboot_confirmed(const Invocation& inv, State& state, client::Session& first) {
  KDP_TRY_STATUS(first.reboot());
  for (int round = 1;; ++round) {
    auto probe = open_probe_session(inv, state, AttachKind::kConnect);
    if (probe || !still_held(probe.error())) return {};
    if (round == kMaxRounds)
      return Error(ErrorKind::kTimeout, "reboot: the kernel did not restart after " + std::to_string(kMaxRounds) +
                                            " KDP_HOSTREBOOTs (each lost on the way: it still refuses a "
                                            "KDP_CONNECT with KDPERR_ALREADY_CONNECTED)");
    KDP_TRY(auto again, open_session(inv, state));
    KDP_TRY_STATUS(again->reboot());
  }
}

Status run_reboot(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(auto session, open_session(inv, state));
  KDP_TRY_STATUS(reboot_confirmed(inv, state, *session));
  const client::TargetInfo& t = session->target();
  if (inv.global.json) {
    JsonWriter j;
    inv.out << j.begin_object().field("reboot_sent", true).field("target", t.host).end_object().str() << "\n";
    return {};
  }
  inv.out << "Sent KDP_HOSTREBOOT to " << t.host << " (" << t.address << ").\n";
  return {};
}

const CommandSpec kReboot{
    .name = "reboot",
    .usage = "reboot",
    .summary = "restart the target machine (KDP_HOSTREBOOT; no reply exists)",
    .run = run_reboot,
};

}  // namespace

const CommandSpec& reboot_command() { return kReboot; }
}  // namespace kdp::cli
