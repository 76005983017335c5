#include "cli/agent/agent_client.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <ostream>
#include <thread>

#include "cli/agent/agent_key.h"
#include "cli/agent/frames.h"
#include "cli/agent/unix_socket.h"
#include "cli/core/atomic_file.h"
#include "cli/core/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/progress.h"
#include "kdp/base/json.h"

namespace kdp::cli::agent {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kConnectWait{2000};
constexpr milliseconds kAcceptWait{10000};  // the agent answers a request at once unless it hangs
constexpr milliseconds kStartWait{5000};    // a new agent's socket appears within this

std::string current_dir() {
  char buffer[PATH_MAX];
  return ::getcwd(buffer, sizeof buffer) ? buffer : "/";
}

std::string absolute(const std::string& path) {
  return path.empty() || path[0] == '/' ? path : current_dir() + "/" + path;
}

// This program's file, to start the agent with the same binary.
std::string program_file(const std::string& argv0) {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);  // Linux
  if (n > 0) return std::string(buffer, static_cast<size_t>(n));
  if (argv0.find('/') != std::string::npos) return absolute(argv0);
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/" + argv0;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return argv0;
}

// fork, setsid, fork: the agent belongs to no terminal and is nobody's child we must reap.
Status spawn_agent(const std::string& program, const std::string& target, std::optional<double> idle) {
  std::vector<std::string> args = {program, "agent", "--serve", target};
  if (idle) args.insert(args.end(), {"--idle", std::to_string(*idle)});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return Error(ErrorKind::kIo, "cannot start the agent: fork failed");
  if (child == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    const int null = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    for (int fd = 3; fd < 256; ++fd) ::close(fd);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return {};
}

Expected<Fd> start_and_connect(const std::string& path, const std::string& program, const std::string& target,
                               std::optional<double> idle) {
  KDP_TRY_STATUS(spawn_agent(program, target, idle));
  const auto give_up = std::chrono::steady_clock::now() + kStartWait;
  for (;;) {
    auto fd = connect_unix(path, kConnectWait);
    if (fd || std::chrono::steady_clock::now() > give_up) return fd;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

// kEnded: the agent closed the connection before our command's turn (it exited meanwhile:
// detach, idle, let go): a new agent takes the command.
enum class Outcome { kDone, kGone, kSilent, kEnded };

struct Exchange {
  Outcome outcome = Outcome::kDone;
  int exit_code = 0;
  std::string note;
};

void forward_interrupt(int fd, bool& sent) {
  const std::atomic<bool>* flag = interrupt_flag();
  if (sent || !flag->load()) return;
  sent = true;
  (void)write_all(fd, encode_frame(FrameType::kInterrupt, {}));
}

// A file the command writes (dump -o FILE), streamed here by the agent: written by this process,
// where a FIFO nobody reads blocks only this client, and Ctrl-C (no SA_RESTART) ends the wait.
struct OutputFile {
  std::string path;
  Bytes bytes;
  void write_and_answer(int fd) {
    Status written = write_file(path, bytes, kOutputFileMode);
    (void)write_all(fd, encode_text_frame(FrameType::kFileDone, written ? "" : written.error().message()));
    bytes.clear();
  }
};

// Sends `first` (a request, or kRelease), then copies the agent's frames to out/err until its
// exit frame. A queued command waits for its turn as long as the agent keeps the connection.
Exchange exchange(int fd, ByteView first, std::ostream& out, std::ostream& err) {
  auto uid = peer_uid(fd);
  if (!uid) return {Outcome::kEnded, 0, uid.error().message()};
  if (*uid != ::geteuid()) return {Outcome::kSilent, 0, "it runs as uid " + std::to_string(*uid)};
  if (!write_all(fd, first)) return {Outcome::kEnded, 0, ""};
  FrameReader reader;
  bool accepted = false, queued = false, interrupt_sent = false;
  OutputFile file;
  const auto accept_deadline = std::chrono::steady_clock::now() + kAcceptWait;
  for (;;) {
    auto frame = reader.next();
    if (!frame) return {Outcome::kGone, kExitTarget, frame.error().message()};
    if (*frame) {
      const Frame& f = **frame;
      const std::string text(f.payload.begin(), f.payload.end());
      switch (f.type) {
        case FrameType::kAccepted: accepted = true; break;
        case FrameType::kWaiting: queued = true; break;
        case FrameType::kOut: out << text << std::flush; break;
        case FrameType::kErr: err << text << std::flush; break;
        case FrameType::kFileBegin: file = OutputFile{text, {}}; break;
        case FrameType::kFileData: file.bytes.insert(file.bytes.end(), f.payload.begin(), f.payload.end()); break;
        case FrameType::kFileEnd: file.write_and_answer(fd); break;
        case FrameType::kExit: {
          auto code = decode_exit(f.payload);
          if (!code) return {Outcome::kGone, kExitTarget, code.error().message()};
          return {Outcome::kDone, *code, ""};
        }
        default: return {Outcome::kGone, kExitTarget, "unexpected frame"};
      }
      continue;
    }
    if (!accepted && !queued && std::chrono::steady_clock::now() > accept_deadline) return {Outcome::kSilent, 0, ""};
    // Ctrl-C while queued: the command never ran; leaving the queue is all there is to do.
    if (!accepted && interrupt_flag()->load()) return {Outcome::kDone, kExitInterrupted, ""};
    forward_interrupt(fd, interrupt_sent);
    if (!wait_readable(fd, milliseconds(50))) continue;
    auto bytes = read_some(fd);
    if (!bytes || bytes->empty()) return {accepted ? Outcome::kGone : Outcome::kEnded, kExitTarget, "it hung up"};
    reader.feed(*bytes);
  }
}

// Removes a dead agent's socket file (only a socket we own).
void remove_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == ::geteuid()) ::unlink(path.c_str());
}

Expected<std::optional<std::string>> known_target(const AgentCall& call) {
  if (call.word == "reattach" && !call.args.empty()) return std::optional<std::string>(call.args[0]);
  if (call.global->target) return std::optional<std::string>(*call.global->target);
  std::ostringstream unused;
  Invocation inv{*call.global, call.word, call.args, nullptr, unused, unused};
  KDP_TRY(State state, inv.load_state());
  return state.target;
}

Request make_request(const AgentCall& call, const std::string& state_path) {
  Request request{{call.argv.front()}, current_dir(), ProgressBar::stderr_is_terminal()};
  // The agent's environment is not the client's: name the state file explicitly.
  if (!call.global->state_path) request.argv.insert(request.argv.end(), {"--state", state_path});
  request.argv.insert(request.argv.end(), call.argv.begin() + 1, call.argv.end());
  return request;
}

// The agent's answer to kStatus, or nullopt when nothing (of ours) answers at `path`.
std::optional<AgentInfo> ask_info(const std::string& path) {
  auto fd = connect_unix(path, kConnectWait);
  if (!fd || !check_peer(fd->get(), ::geteuid()) || !write_all(fd->get(), encode_frame(FrameType::kStatus, {})))
    return std::nullopt;
  FrameReader reader;
  while (wait_readable(fd->get(), milliseconds(2000))) {
    auto bytes = read_some(fd->get());
    if (!bytes || bytes->empty()) break;
    reader.feed(*bytes);
    auto frame = reader.next();
    if (!frame) break;
    if (*frame && (*frame)->type == FrameType::kInfo) {
      auto decoded = decode_info((*frame)->payload);
      if (decoded) return *decoded;
    }
    if (*frame && (*frame)->type == FrameType::kBusy) return AgentInfo{0, 0, SessionState::kRunning, "(busy)"};
  }
  return std::nullopt;
}

// After the agent's exit frame: its end of the connection closes once it has removed its socket
// (the socket goes before the connections do). Bounded: an agent that hangs on is not waited for.
void await_hang_up(int fd) {
  const auto give_up = std::chrono::steady_clock::now() + kAcceptWait;
  while (std::chrono::steady_clock::now() < give_up) {
    if (!wait_readable(fd, milliseconds(100))) continue;
    auto bytes = read_some(fd);
    if (!bytes || bytes->empty()) return;
  }
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

bool runs_locally(const std::string& command) {
  return command == "decode" || command == "status" || command == "help" || command == "agent" ||
         command == "ptype";  // types only: no memory, no session
}

Expected<std::optional<int>> run_through_agent(const AgentCall& call, const CliContext& context, std::ostream& out,
                                               std::ostream& err) {
  auto target = known_target(call);
  if (!target || !*target) return std::optional<int>();  // the local run reports it
  std::ostringstream unused;
  Invocation inv{*call.global, call.word, call.args, nullptr, unused, unused};
  auto state_path = inv.state_path();
  auto dir = runtime_dir();
  if (!state_path || !dir) {
    err << "kdpctl: " << (dir ? state_path.error().message() : dir.error().message()) << "; running without the agent\n";
    return std::optional<int>();
  }
  const std::string path = socket_path(*dir, agent_key(**target));
  const std::string program = program_file(context.program_path);
  const Bytes request = encode_request(make_request(call, absolute(*state_path)));
  if (const auto why = unusable_socket_path(path)) {
    err << "kdpctl: no agent for " << **target << ": " << *why << "; running without the agent\n";
    return std::optional<int>();
  }
  Exchange result{Outcome::kEnded, kExitTarget, ""};
  // Twice at most: an agent that ends before our turn (detach ahead of us) is replaced once.
  for (int attempt = 0; attempt < 2 && result.outcome == Outcome::kEnded; ++attempt) {
    auto fd = connect_unix(path, kConnectWait);
    if (!fd && fd.error().kind() == ErrorKind::kIo) {
      err << "kdpctl: the agent for " << **target << " is gone (stale socket " << path << "); starting a fresh session\n";
      remove_socket(path);
    }
    if (!fd && fd.error().kind() != ErrorKind::kTimeout) fd = start_and_connect(path, program, **target, call.idle_seconds);
    if (!fd) return Error(ErrorKind::kIo, "cannot reach the agent for " + **target + ": " + fd.error().message());
    result = exchange(fd->get(), request, out, err);
    if (result.outcome == Outcome::kSilent) {
      err << "kdpctl: the agent for " << **target << " does not answer (socket " << path
          << (result.note.empty() ? "" : "; ") << result.note << "); starting a fresh session\n";
      remove_socket(path);
      result.outcome = Outcome::kEnded;
    }
  }
  switch (result.outcome) {
    case Outcome::kDone: return std::optional<int>(result.exit_code);
    default:
      return Error(ErrorKind::kIo, "the agent for " + **target + " ended before the command finished" +
                                       (result.note.empty() ? "" : " (" + result.note + ")") +
                                       "; the next command starts a fresh session");
  }
}

Status let_agent_go(const AgentCall& call, std::ostream& err) {
  auto target = known_target(call);
  if (!target || !*target) return {};
  auto dir = runtime_dir();
  if (!dir) return {};  // no agent can listen there
  const std::string path = socket_path(*dir, agent_key(**target));
  auto fd = connect_unix(path, kConnectWait);
  if (!fd) return {};  // no agent holds it (a stale socket is the next agent's to replace)
  err << "kdpctl: asking the agent for " << **target << " to let go of the kernel first\n";
  std::ostringstream unused;
  const Exchange result = exchange(fd->get(), encode_frame(FrameType::kRelease, {}), unused, unused);
  if (result.outcome == Outcome::kDone && result.exit_code == kExitInterrupted)
    return Error(ErrorKind::kInterrupted, "interrupted while waiting for the agent for " + **target + " to let go");
  if (result.outcome == Outcome::kSilent)
    return Error(ErrorKind::kIo, "the agent for " + **target + " holds the kernel and does not answer (socket " + path +
                                     "); `kdpctl status` shows it");
  return {};  // it let go, or ended on its own
}

Status stop_agent(const std::string& target, std::ostream& out, bool json) {
  KDP_TRY(std::string dir, runtime_dir());
  const std::string path = socket_path(dir, agent_key(target));
  const std::optional<AgentInfo> info = ask_info(path);
  if (!info) {
    const bool stale = exists(path);  // a killed agent's socket, or one nobody of ours answers on
    if (stale) remove_socket(path);
    const bool lock_removed = remove_stale_start_lock(path);
    std::string cleaned;
    if (stale && !exists(path)) cleaned = "removed the socket a dead agent left, " + path;
    if (lock_removed) cleaned += std::string(cleaned.empty() ? "removed" : " and") + " its start lock";
    return Error(ErrorKind::kIo, "no agent is running for " + target + (cleaned.empty() ? "" : " (" + cleaned + ")"));
  }
  auto fd = connect_unix(path, kConnectWait);
  if (!fd) return Error(ErrorKind::kIo, "the agent for " + target + " ended before it was asked to stop");
  std::ostringstream done, unused;
  const Exchange result = exchange(fd->get(), encode_frame(FrameType::kRelease, {}), done, unused);
  if (result.outcome == Outcome::kDone && result.exit_code == kExitInterrupted)
    return Error(ErrorKind::kInterrupted, "interrupted while waiting for the agent for " + target + " to stop");
  if (result.outcome == Outcome::kSilent)
    return Error(ErrorKind::kIo, "the agent for " + target + " (pid " + std::to_string(info->pid) +
                                     ") does not answer (socket " + path + ")");
  await_hang_up(fd->get());
  const bool lock_removed = remove_stale_start_lock(path);
  const bool socket_removed = !exists(path);
  const std::string what = done.str().empty() ? "it ended before its turn" : done.str();
  if (json) {
    JsonWriter j;
    out << j.begin_object().field("stopped", true).field("target", info->target).field("pid", info->pid)
               .field("did", what).field("socket", path).field("socket_removed", socket_removed)
               .field("lock_removed", lock_removed).end_object().str() << "\n";
    return {};
  }
  out << "Stopped the agent for " << info->target << " (pid " << info->pid << "): " << what << ".\n";
  out << (socket_removed ? "Removed its socket " : "Its socket is still there: ") << path
      << (lock_removed ? " and start lock" : "") << ".\n";
  return {};
}

Status print_status(std::ostream& out, bool json) {
  KDP_TRY(std::string dir, runtime_dir());
  std::vector<std::pair<std::string, std::optional<AgentInfo>>> agents;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".sock") continue;
    agents.emplace_back(path, ask_info(path));
  }
  std::sort(agents.begin(), agents.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const auto session_text = [](SessionState s) {
    return s == SessionState::kStopped ? "stopped" : s == SessionState::kRunning ? "running" : "none";
  };
  if (json) {
    JsonWriter j;
    j.begin_object().key("agents").begin_array();
    for (const auto& [path, info] : agents) {
      j.begin_object().field("socket", path).field("answers", info.has_value());
      if (info)
        j.field("target", info->target).field("pid", info->pid).field("idle_seconds", info->idle_ms / 1000)
            .field("session", session_text(info->session));
      j.end_object();
    }
    out << j.end_array().end_object().str() << "\n";
    return {};
  }
  if (agents.empty()) {
    out << "No agents.\n";
    return {};
  }
  for (const auto& [path, info] : agents) {
    if (!info) {
      out << "(no answer)  socket " << path << " (stale)\n";
      continue;
    }
    // A running kernel answers no KDP request, so "running" is as last seen: a target that went
    // away meanwhile looks the same until the next command asks it to stop.
    out << info->target << "  pid " << info->pid << "  idle " << info->idle_ms / 1000 << " s  session "
        << session_text(info->session)
        << (info->session == SessionState::kRunning ? " (as last seen: a running kernel answers no KDP)" : "")
        << "  socket " << path << "\n";
  }
  return {};
}

}  // namespace kdp::cli::agent
