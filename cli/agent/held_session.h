// The agent's SessionProvider: one KDP session to its target, kept open across commands. Each
// command gets a BorrowedSession that forwards to it (destroying it leaves the session open), so
// the command code runs unchanged. Between commands the agent calls poll_stop(): a kernel left
// running (continue --timeout, Ctrl-C) has its exception notification acknowledged the moment it
// arrives, and the stop is handed to the next continue/step instead of resuming again.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/agent/frames.h"
#include "cli/session_provider.h"

namespace kdp::cli::agent {

class HeldSessionProvider final : public SessionProvider {
 public:
  HeldSessionProvider(std::string target, SessionProvider& fresh, const std::atomic<bool>* interrupt)
      : target_(std::move(target)), fresh_(fresh), interrupt_(interrupt) {}

  Expected<std::unique_ptr<client::Session>> open(const std::string& target, AttachKind kind,
                                                  client::SessionOptions options) override;
  // A probe REATTACH that gets an answer has taken the kernel from the held session.
  Expected<std::unique_ptr<client::Session>> probe(const std::string& target, AttachKind kind,
                                                   client::SessionOptions options) override;

  // After each command: a timeout with the kernel stopped or a reboot means the next command
  // starts a fresh session; a completed detach ends the agent.
  void after_command(int exit_code);
  bool has_session() const { return held_ != nullptr; }
  bool detached() const { return detached_; }
  SessionState state() const;
  // Between commands: acknowledge a stop of a running kernel and queue it.
  void poll_stop(std::chrono::milliseconds wait);

  // Called by BorrowedSession.
  std::optional<client::StopEvent> take_queued_stop();
  void note_disconnect() { detached_ = true; }
  void note_reboot() { stale_ = true; }

 private:
  // A kernel still running after an interrupted continue: wait (up to `limit`) for its stop, which
  // the next continue/step reports, so that every command starts from a stopped kernel.
  Status await_pending_stop(std::chrono::milliseconds limit);

  std::string target_;
  SessionProvider& fresh_;
  const std::atomic<bool>* interrupt_;
  std::shared_ptr<client::Session> held_;  // shared with the BorrowedSessions of the command
  std::function<void(std::string_view)> command_log_;  // the running command's -v sink
  std::optional<client::StopEvent> queued_;
  bool stale_ = false;
  bool detached_ = false;
};

}  // namespace kdp::cli::agent
