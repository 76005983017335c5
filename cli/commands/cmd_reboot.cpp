// kdpctl reboot: KDP_HOSTREBOOT (the kernel restarts the machine and never answers).
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

Status run_reboot(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(auto session, open_session(inv, state));
  // The session asks the kernel after every KDP_HOSTREBOOT whether it restarted.
  KDP_TRY_STATUS(session->reboot());
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
