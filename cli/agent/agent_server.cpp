#include "cli/agent/agent_server.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ostream>
#include <streambuf>

#include "cli/agent/agent_key.h"
#include "cli/agent/doorman.h"
#include "cli/agent/frames.h"
#include "cli/agent/held_session.h"
#include "cli/agent/unix_socket.h"
#include "cli/core/user_text.h"
#include "cli/dispatch.h"
#include "cli/session_open.h"

namespace kdp::cli::agent {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStartLockWait{3000};   // another agent checks and binds within this
constexpr milliseconds kProbeEvery{5000};      // how often an idle agent checks its kernel answers

// A command's stdout or stderr as frames on the client's socket: sent on flush and when full, so
// "Continuing." reaches the user before the wait. A client that went away only loses output.
class FrameStreambuf final : public std::streambuf {
 public:
  FrameStreambuf(int fd, FrameType type) : fd_(fd), type_(type) { setp(buffer_, buffer_ + sizeof buffer_); }
  ~FrameStreambuf() override { sync(); }

 protected:
  int overflow(int c) override {
    sync();
    if (c != traits_type::eof()) sputc(static_cast<char>(c));
    return traits_type::not_eof(c);
  }
  int sync() override {
    if (pptr() == pbase()) return 0;
    const std::string_view text(pbase(), static_cast<size_t>(pptr() - pbase()));
    if (!failed_) failed_ = !write_all(fd_, encode_text_frame(type_, text));
    setp(buffer_, buffer_ + sizeof buffer_);
    return 0;
  }

 private:
  int fd_;
  FrameType type_;
  char buffer_[8192];
  bool failed_ = false;
};

class Agent {
 public:
  Agent(ServeOptions options, Fd listener, std::string path)
      : options_(std::move(options)),
        listener_(std::move(listener)),
        path_(std::move(path)),
        provider_(options_.target, udp_session_provider(), &interrupt_),
        doorman_(listener_.get(), options_.target, interrupt_) {
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) inode_ = st.st_ino;
    provider_.on_state_change([this](SessionState now) { doorman_.publish(now); });
  }
  ~Agent() {
    if (socket_is_ours()) ::unlink(path_.c_str());
  }

  int run() {
    last_used_ = Clock::now();
    last_probe_ = last_used_;
    while (!provider_.detached() && Clock::now() - last_used_ < options_.idle && socket_is_ours()) {
      interrupt_ = false;
      provider_.poll_stop(milliseconds(50));
      doorman_.publish(provider_.state(), last_used_);
      if (!target_still_there()) return 0;  // nothing to take back from a vanished kernel
      auto job = doorman_.next(milliseconds(provider_.state() == SessionState::kRunning ? 0 : 200));
      if (!job) continue;
      if (job->release) {
        // The kernel stays stopped, without our breakpoints; `agent stop` prints what was done.
        (void)write_all(job->fd, encode_text_frame(FrameType::kOut, provider_.release()));
        (void)write_all(job->fd, encode_exit(0));
        doorman_.finished(*job);
        return 0;
      }
      interrupt_ = false;
      const int code = run_request(*job);
      (void)write_all(job->fd, encode_exit(code));
      doorman_.finished(*job);
      if (!provider_.has_session()) break;  // the target could not be reached
      last_used_ = last_probe_ = Clock::now();
    }
    (void)provider_.release();  // leave the kernel as direct mode would: without our breakpoints
    return 0;
  }

 private:
  // Every kProbeEvery while idle with the kernel stopped: a vanished target ends the agent (and
  // `kdpctl status` stops listing it) instead of leaving it to the idle timeout.
  bool target_still_there() {
    if (Clock::now() - last_probe_ < kProbeEvery) return true;
    last_probe_ = Clock::now();
    return provider_.target_answers();
  }

  // The socket file is still the one we bound (a fresh agent may have replaced a silent one).
  bool socket_is_ours() const {
    struct stat st {};
    return ::stat(path_.c_str(), &st) == 0 && st.st_ino == inode_;
  }

  // dump -o FILE: the client writes it (its directory, its rights, its Ctrl-C for a FIFO nobody
  // reads), from the bytes streamed to it.
  Status stream_file(const Job& job, const std::string& path, ByteView bytes) {
    constexpr size_t kPiece = 1 << 20;
    Status sent = write_all(job.fd, encode_text_frame(FrameType::kFileBegin, path));
    for (size_t at = 0; sent && at < bytes.size(); at += kPiece)
      sent = write_all(job.fd, encode_frame(FrameType::kFileData, bytes.subspan(at, std::min(kPiece, bytes.size() - at))));
    if (sent) sent = write_all(job.fd, encode_frame(FrameType::kFileEnd, {}));
    if (!sent) return Error(ErrorKind::kIo, "cannot write " + path + ": the client went away");
    return doorman_.await_file_done(job);
  }

  int run_request(const Job& job) {
    const int client = job.fd;
    const Request& request = job.request;
    if (!write_all(client, encode_frame(FrameType::kAccepted, {}))) return 1;
    // File arguments (dump -o, --kernel, --state) are relative to the client's directory.
    const bool moved = ::chdir(request.cwd.c_str()) == 0;
    int code = 0;
    {
      FrameStreambuf out_buf(client, FrameType::kOut), err_buf(client, FrameType::kErr);
      std::ostream out(&out_buf), err(&err_buf);
      if (!moved) {
        err << "kdpctl: agent cannot enter the client's directory " << request.cwd << "\n";
        code = 1;
      } else {
        std::vector<const char*> argv;
        for (const std::string& arg : request.argv) argv.push_back(arg.c_str());
        CliContext context;
        context.sessions = &provider_;
        context.interrupt = &interrupt_;
        context.install_sigint = false;
        context.stderr_terminal = request.stderr_terminal;
        context.write_output_file = [&](const std::string& path, ByteView bytes) { return stream_file(job, path, bytes); };
        code = run_kdpctl(static_cast<int>(argv.size()), argv.data(), out, err, context);
        out.flush();
        err.flush();
      }
    }
    (void)::chdir("/");
    provider_.after_command(code);
    return code;
  }

  ServeOptions options_;
  Fd listener_;
  std::string path_;
  ino_t inode_ = 0;
  std::atomic<bool> interrupt_{false};
  HeldSessionProvider provider_;
  Doorman doorman_;  // after everything its thread reads
  Clock::time_point last_used_;
  Clock::time_point last_probe_;
};

// The listening socket, or nullopt when another agent answers on `path`. Agents started at the
// same moment take turns through the lock: the later one finds the first one listening.
Expected<std::optional<Fd>> listen_unless_answered(const std::string& path) {
  KDP_TRY(StartLock lock, StartLock::acquire(path, kStartLockWait));
  if (connect_unix(path, milliseconds(1000))) return std::optional<Fd>();
  KDP_TRY(Fd listener, listen_unix(path));
  return std::optional<Fd>(std::move(listener));
}

}  // namespace

int serve_agent(const ServeOptions& options, std::ostream& err) {
  ::signal(SIGINT, SIG_IGN);  // Ctrl-C reaches the agent as a frame from its client, not a signal
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  auto dir = runtime_dir();
  if (!dir) {
    err << "kdpctl agent: " << dir.error().message() << "\n";
    return 1;
  }
  const std::string path = socket_path(*dir, agent_key(options.target));
  auto listener = listen_unless_answered(path);
  if (!listener) {
    err << "kdpctl agent: " << listener.error().message() << "\n";
    return 1;
  }
  if (!*listener) return 0;  // an agent already answers there
  Agent agent(options, std::move(**listener), path);
  (void)::chdir("/");
  return agent.run();
}

int run_agent_command(int argc, const char* const* argv, std::ostream& err) {
  ServeOptions options;
  bool serve = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "agent") continue;
    if (arg == "--serve") {
      serve = true;
    } else if (arg == "--idle" && i + 1 < argc) {
      char* end = nullptr;
      const double seconds = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(seconds > 0) || seconds > 1e7) {
        err << "kdpctl agent: --idle must be a positive number of seconds\n";
        return 2;
      }
      options.idle = milliseconds(static_cast<int64_t>(seconds * 1000));
    } else if (options.target.empty() && arg.rfind("-", 0) != 0) {
      options.target = arg;
    } else {
      err << "kdpctl agent: unexpected argument " << quote_user_text(arg) << "\n";
      return 2;
    }
  }
  if (!serve || options.target.empty()) {
    err << "usage: kdpctl agent --serve TARGET [--idle SECONDS] (started by kdpctl itself)\n";
    return 2;
  }
  // An agent serves a socket until it idles out: under the command-line fuzzer it would hang.
  if (sessions_disabled_for_fuzzing()) {
    err << "kdpctl agent: sessions are disabled (command-line fuzzing)\n";
    return 2;
  }
  return serve_agent(options, err);
}

}  // namespace kdp::cli::agent
