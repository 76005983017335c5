// One agent per kernel, however its address is spelled: the socket is named after the resolved
// address ("localhost:41139" and "127.0.0.1" share 127.0.0.1:41139), and agents starting at the
// same moment take turns through a lock file beside the socket, so the second one finds the
// first one listening and leaves.
#pragma once

#include <chrono>
#include <string>

#include "kdp/base/error.h"

namespace kdp::cli::agent {

// "a.b.c.d:port" for `target` ("host[:port]", the KDP port by default); the text itself when it
// does not resolve (the command run for it reports that).
std::string agent_key(const std::string& target);

// An exclusive flock on "<socket path>.lock", released at scope exit (and by the kernel if the
// process dies). Waits at most `wait`; kTimeout when someone else still holds it.
class StartLock {
 public:
  static Expected<StartLock> acquire(const std::string& socket_path, std::chrono::milliseconds wait);
  StartLock(StartLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StartLock& operator=(StartLock&&) = delete;
  StartLock(const StartLock&) = delete;
  ~StartLock();

 private:
  explicit StartLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Removes "<socket path>.lock" when no socket is beside it and nobody holds it (an agent that
// exited or was killed left it). It is unlinked while we hold its flock, so it never vanishes under
// an agent that is starting with it. True when it was removed.
bool remove_stale_start_lock(const std::string& socket_path);

}  // namespace kdp::cli::agent
