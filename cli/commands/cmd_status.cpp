// kdpctl status: the session agents of this user (target, pid, idle time, session, socket).
#include <filesystem>

#include "cli/agent/agent_client.h"
#include "cli/agent/agent_key.h"
#include "cli/agent/unix_socket.h"
#include "cli/command.h"

namespace kdp::cli {
namespace {

// Start locks ("<socket>.lock") that agents which are gone left behind.
void remove_stale_start_locks() {
  auto dir = agent::runtime_dir();
  if (!dir) return;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(*dir, ec)) {
    const std::string path = entry.path().string();
    constexpr std::string_view kSuffix = ".sock.lock";
    if (path.size() > kSuffix.size() && path.compare(path.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0)
      (void)agent::remove_stale_start_lock(path.substr(0, path.size() - 5));
  }
}

Status run_status(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  remove_stale_start_locks();
  return agent::print_status(inv.out, inv.global.json);
}

const CommandSpec kStatus{
    .name = "status",
    .usage = "status",
    .summary = "list the background agents holding kernel sessions",
    .details = "`kdpctl reattach TARGET` starts an agent that keeps the KDP session open; later commands run in\n"
               "it. An agent exits on detach, after --idle seconds without a command (the kernel stays stopped),\n"
               "or when its target cannot be reached. --no-agent (or CI=true) runs commands directly. Start\n"
               "locks (SOCKET.lock) that agents which are gone left behind are removed.",
    .run = run_status,
};

}  // namespace

const CommandSpec& status_command() { return kStatus; }
}  // namespace kdp::cli
