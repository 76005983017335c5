// The agent's front door: one thread that owns every connection the agent has not finished with,
// so no client (an idle one, a slow one, twenty at once) ever holds up the agent or another
// client. It accepts (same user only), waits for each connection's first frame without blocking
// anyone (a connection that sends nothing for 5 s is dropped), answers `status` at once — also
// while a command runs — and queues commands in arrival order: each waits for its turn for as long
// as its client stays connected (a client that leaves is taken out of the queue). While a command
// runs, its client is watched: Ctrl-C or a hang-up sets the interrupt flag.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cli/agent/frames.h"
#include "cli/agent/unix_socket.h"

namespace kdp::cli::agent {

// A command taken from the queue: the agent writes its output frames to `fd`.
struct Job {
  uint64_t id = 0;
  int fd = -1;
  bool release = false;  // kRelease: let go of the kernel
  Request request;
};

class Doorman {
 public:
  Doorman(int listener, std::string target, std::atomic<bool>& interrupt);
  ~Doorman();  // closes every connection: queued clients see the agent end before their turn
  Doorman(const Doorman&) = delete;
  Doorman& operator=(const Doorman&) = delete;

  // The first queued command, waiting up to `wait`; its client is watched from now on.
  std::optional<Job> next(std::chrono::milliseconds wait);
  // The command is done and its exit frame written: the connection is closed.
  void finished(const Job& job);
  // After the agent streamed a file to the running command's client (kFileBegin..kFileEnd): its
  // kFileDone. Ends early when the client hangs up or presses Ctrl-C.
  Status await_file_done(const Job& job);
  // What `status` answers (idle_ms counts from `last_used`; 0 while a command runs).
  void publish(SessionState session, std::chrono::steady_clock::time_point last_used);
  // The session's state alone, from the command running (a continue resumed the kernel).
  void publish(SessionState session);

 private:
  enum class Stage { kFirstFrame, kQueued, kRunning, kDone };
  struct Connection {
    uint64_t id = 0;
    Fd fd;
    FrameReader reader;
    std::chrono::steady_clock::time_point since;
    Stage stage = Stage::kFirstFrame;
    bool release = false;
    Request request;
    bool hung_up = false;
    std::optional<std::string> file_done;  // kFileDone's text: empty when the file was written
  };

  void run();
  void accept_one();
  // Reads what `c` sent; false when the connection is over.
  bool read_from(Connection& c);
  bool handle_first_frame(Connection& c, const Frame& frame);
  AgentInfo info() const;
  void wake();

  int listener_;
  std::string target_;
  std::atomic<bool>& interrupt_;
  int wake_[2] = {-1, -1};
  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::condition_variable file_done_;
  std::list<Connection> connections_;  // under mutex_; the thread alone reads and closes them
  std::deque<uint64_t> queue_;         // ids of kQueued connections, oldest first
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  bool busy_ = false;
  SessionState session_ = SessionState::kNone;
  std::chrono::steady_clock::time_point last_used_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

}  // namespace kdp::cli::agent
