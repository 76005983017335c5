#include "cli/agent/agent_server.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <ostream>
#include <streambuf>
#include <thread>

#include "cli/agent/agent_key.h"
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

constexpr milliseconds kFirstFrameWait{5000};  // a connected client that sends nothing is dropped
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

Expected<Frame> read_frame(int fd, FrameReader& reader, milliseconds wait) {
  for (;;) {
    KDP_TRY(auto frame, reader.next());
    if (frame) return std::move(*frame);
    if (!wait_readable(fd, wait)) return Error(ErrorKind::kTimeout, "agent client sent nothing");
    KDP_TRY(Bytes bytes, read_some(fd));
    if (bytes.empty()) return Error(ErrorKind::kIo, "agent client hung up");
    reader.feed(bytes);
  }
}

// While a command runs: Ctrl-C (or a vanished client) interrupts it, other clients hear "busy".
// One poll() over the client, the listener and a wake-up pipe, so the command's end is not
// delayed by a polling interval.
class Watcher {
 public:
  Watcher(int client, int listener, std::atomic<bool>& interrupt, FrameReader& reader) {
    if (::pipe(wake_) != 0) wake_[0] = wake_[1] = -1;
    thread_ = std::thread([this, client, listener, &interrupt, &reader] { watch(client, listener, interrupt, reader); });
  }
  ~Watcher() {
    done_ = true;
    if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
    thread_.join();
    for (int fd : wake_)
      if (fd >= 0) ::close(fd);
  }

 private:
  void watch(int client, int listener, std::atomic<bool>& interrupt, FrameReader& reader) {
    bool client_open = true;
    while (!done_) {
      pollfd fds[3] = {{client_open ? client : -1, POLLIN, 0}, {listener, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      // Without a wake-up pipe (pipe() failed), fall back to a short interval.
      if (::poll(fds, 3, wake_[0] >= 0 ? -1 : 20) <= 0) continue;
      if (fds[0].revents != 0) {
        auto bytes = read_some(client);
        if (!bytes || bytes->empty()) {
          client_open = false;
          interrupt = true;
        } else {
          reader.feed(*bytes);
          for (auto frame = reader.next(); frame && *frame; frame = reader.next())
            if ((*frame)->type == FrameType::kInterrupt) interrupt = true;
        }
      }
      if (fds[1].revents != 0) {
        if (auto other = accept_unix(listener))
          (void)write_all(other->get(), encode_text_frame(FrameType::kBusy, "busy with another command"));
      }
    }
  }

  int wake_[2] = {-1, -1};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

class Agent {
 public:
  Agent(ServeOptions options, Fd listener, std::string path)
      : options_(std::move(options)),
        listener_(std::move(listener)),
        path_(std::move(path)),
        provider_(options_.target, udp_session_provider(), &interrupt_) {
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) inode_ = st.st_ino;
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
      if (!target_still_there()) return 0;  // nothing to take back from a vanished kernel
      if (!wait_readable(listener_.get(), milliseconds(provider_.state() == SessionState::kRunning ? 0 : 200)))
        continue;
      auto client = accept_unix(listener_.get());
      if (!client) continue;
      if (!check_peer(client->get(), ::geteuid())) continue;  // another user: not a word
      if (!serve(client->get())) continue;  // `status` and strays do not count as use
      if (!provider_.has_session()) break;  // the target could not be reached
      last_used_ = last_probe_ = Clock::now();
    }
    provider_.release();  // leave the kernel as direct mode would: without our breakpoints
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

  // True when a command ran.
  bool serve(int client) {
    FrameReader reader;
    auto frame = read_frame(client, reader, kFirstFrameWait);
    if (!frame) return false;
    if (frame->type == FrameType::kStatus) {
      AgentInfo info{static_cast<uint32_t>(::getpid()),
                     static_cast<uint64_t>(std::chrono::duration_cast<milliseconds>(Clock::now() - last_used_).count()),
                     provider_.state(), options_.target};
      (void)write_all(client, encode_info(info));
      return false;
    }
    if (frame->type != FrameType::kRequest) return false;
    auto request = decode_request(frame->payload);
    if (!request) {
      (void)write_all(client, encode_text_frame(FrameType::kErr, "kdpctl agent: " + request.error().message() + "\n"));
      (void)write_all(client, encode_exit(1));
      return false;
    }
    if (!write_all(client, encode_frame(FrameType::kAccepted, {}))) return false;
    const int code = run_request(client, *request, reader);
    (void)write_all(client, encode_exit(code));
    return true;
  }

  int run_request(int client, const Request& request, FrameReader& reader) {
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
        CliContext context{&provider_, &interrupt_, false, false, ""};
        Watcher watcher(client, listener_.get(), interrupt_, reader);
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
