// Direct-mode kdpctl processes of one user on one target take turns: a kernel serves one debugger
// conversation, and two processes that both talk to it take it from each other (the second one
// finds the kept conversation's port taken, reattaches, and the first one's next request meets a
// kernel that another debugger holds). Each process holds an flock(2) on "<state>.target-<T>.lock"
// for as long as its session lives; the next one waits for it (Ctrl-C gives up). flock belongs to
// the open file, so the kernel releases it when the holder exits or is killed: a dead holder never
// blocks anyone. The holder writes its pid and command into the file, for the waiter's note.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "kdp/base/error.h"

namespace kdp::cli {

class TargetLock {
 public:
  // Blocks until this process holds the lock of `target` beside `state_path`; a second acquire in
  // the same process while the first is held shares it. `on_wait` is called once, with what the
  // holder wrote ("pid 4242: kdpctl dump"), when the lock is busy. `holder` is what this process
  // writes. Fails with kInterrupted when `interrupt` turns true while waiting (SIGINT), kIo when
  // the lock file cannot be opened (an unwritable directory: the caller may go on without it).
  static Expected<TargetLock> acquire(const std::string& state_path, const std::string& target,
                                      const std::string& holder, const std::atomic<bool>* interrupt,
                                      const std::function<void(const std::string& holder)>& on_wait);

  // "<state>.target-<target with anything but [A-Za-z0-9._-] as '_'>.lock"
  static std::string path_for(const std::string& state_path, const std::string& target);

  TargetLock(TargetLock&&) noexcept;
  TargetLock& operator=(TargetLock&&) noexcept;
  ~TargetLock();

  struct Held;

 private:
  explicit TargetLock(std::shared_ptr<Held> held);
  std::shared_ptr<Held> held_;
};

}  // namespace kdp::cli
