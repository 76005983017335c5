// Serializes read-modify-write of the state file between kdpctl processes (and threads of one
// process): an advisory POSIX record lock (fcntl F_SETLKW) on a sidecar file "<state>.lock" beside
// it. The state file itself is replaced by rename, so it cannot carry the lock; the sidecar is
// never renamed or truncated. fcntl locks belong to the process, so a process-wide mutex keeps
// the threads of one process apart as well.
#pragma once

#include <memory>
#include <string>

#include "kdp/base/error.h"

namespace kdp::cli {

class StateLock {
 public:
  // Blocks until no other holder remains. `state_path` should have its symlinks resolved, so two
  // links to one file share one lock. Fails when the lock file cannot be created (unwritable
  // directory) or is not a regular file.
  static Expected<StateLock> acquire(const std::string& state_path);

  StateLock(StateLock&&) noexcept;
  StateLock& operator=(StateLock&&) noexcept;
  ~StateLock();

 private:
  struct Held;
  explicit StateLock(std::unique_ptr<Held> held);
  std::unique_ptr<Held> held_;
};

}  // namespace kdp::cli
