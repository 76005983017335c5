// kdpctl status: the session agents of this user (target, pid, idle time, session, socket).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cli/agent/agent_client.h"
#include "cli/agent/unix_socket.h"
#include "cli/command.h"

namespace kdp::cli {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// An agent's start lock ("<socket>.lock") beside no socket, which no starting agent holds, was
// left by an agent that exited or was killed. It is unlinked while we hold its flock, so it never
// vanishes under an agent that is starting with it.
void remove_stale_start_locks() {
  auto dir = agent::runtime_dir();
  if (!dir) return;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(*dir, ec)) {
    const std::string path = entry.path().string();
    constexpr std::string_view kSuffix = ".sock.lock";
    if (path.size() <= kSuffix.size() || path.compare(path.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
      continue;
    const std::string socket = path.substr(0, path.size() - 5);
    if (exists(socket)) continue;
    const int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && !exists(socket)) ::unlink(path.c_str());
    ::close(fd);
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
