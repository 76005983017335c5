// kdpctl status: the session agents of this user (target, pid, idle time, session, socket).
#include "cli/agent/agent_client.h"
#include "cli/command.h"

namespace kdp::cli {
namespace {

Status run_status(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  return agent::print_status(inv.out, inv.global.json);
}

const CommandSpec kStatus{
    .name = "status",
    .usage = "status",
    .summary = "list the background agents holding kernel sessions",
    .details = "`kdpctl reattach TARGET` starts an agent that keeps the KDP session open; later commands run in\n"
               "it. An agent exits on detach, after --idle seconds without a command (the kernel stays stopped),\n"
               "or when its target cannot be reached. --no-agent (or CI=true) runs commands directly.",
    .run = run_status,
};

}  // namespace

const CommandSpec& status_command() { return kStatus; }
}  // namespace kdp::cli
