// The Unix-socket plumbing of the session agent (POSIX; Linux and macOS): the private runtime
// directory, listening and connecting with bounded waits, the same-user check on the peer, and
// whole-frame writes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::cli::agent {

// A file descriptor closed at scope exit.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset();

 private:
  int fd_ = -1;
};

// Where the agents' sockets live: $KDPCTL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/kdpctl, else
// /tmp/kdpctl-UID. Created mode 0700; refused unless it is a directory (not a symlink) owned by
// us that nobody else can enter.
Expected<std::string> runtime_dir();

// "<dir>/<target with unsafe characters escaped>.sock", hashed when it would be too long for a
// socket address.
std::string socket_path(const std::string& dir, const std::string& target);

// The uid of the process at the other end of a connected Unix socket (SO_PEERCRED on Linux,
// getpeereid elsewhere).
Expected<uid_t> peer_uid(int fd);
// kUsage unless the peer runs as `expected`.
Status check_peer(int fd, uid_t expected);

// Binds `path` (mode 0600) and listens. An existing file there must be a socket; the caller has
// made sure nobody answers on it.
Expected<Fd> listen_unix(const std::string& path);
// Why no agent can listen or be reached at `path`, if none can: a path longer than a socket
// address holds (108 bytes on Linux, 104 on macOS), or something that is not a socket there.
std::optional<std::string> unusable_socket_path(const std::string& path);
// kIo "refused" when nobody listens (a stale socket), kNotFound when there is no socket file.
Expected<Fd> connect_unix(const std::string& path, std::chrono::milliseconds timeout);
Expected<Fd> accept_unix(int listener);

// Writes everything (never raises SIGPIPE); kIo when the peer is gone.
Status write_all(int fd, ByteView bytes);
// Waits up to `timeout` for fd to be readable; true when it is (or has hung up).
bool wait_readable(int fd, std::chrono::milliseconds timeout);
// One read: the bytes, or empty at end of file; kIo on error.
Expected<Bytes> read_some(int fd);

}  // namespace kdp::cli::agent
