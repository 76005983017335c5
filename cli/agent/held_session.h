// The agent's SessionProvider: one KDP session to its target, kept open across commands. Each
// command gets a BorrowedSession that forwards to it (destroying it leaves the session open), so
// the command code runs unchanged. Between commands the agent calls poll_stop(): a kernel left
// running (continue --timeout, Ctrl-C) has its exception notification acknowledged the moment it
// arrives, and the stop is handed to the next continue/step instead of resuming again. Kept with
// the held session as well: the memory cache of the current stop (served to a later command only
// after one request proved the kernel stayed stopped and ours) and the breakpoints, inserted (the
// int3s it writes are in the journal beside the state file, cli/core/int3_journal.h).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "cli/agent/frames.h"
#include "cli/session_provider.h"

namespace kdp::cli::agent {

class HeldSessionProvider final : public SessionProvider {
 public:
  bool keeps_sessions() const override { return true; }
  // The held session (if any) is replaced at the next open(): its int3s are restored from the
  // journal there, REATTACH clears the kernel's own.
  void take_over_anew() override {
    if (held_) stale_ = true;
  }
  HeldSessionProvider(std::string target, SessionProvider& fresh, const std::atomic<bool>* interrupt)
      : target_(std::move(target)), fresh_(fresh), interrupt_(interrupt) {}

  Expected<std::unique_ptr<client::Session>> open(const std::string& target, AttachKind kind,
                                                  client::SessionOptions options) override;

  // The held session's memory cache lives as long as the held session (Session::generation()
  // drops it when the kernel runs), so a command at the same stop reads what earlier ones cached.
  std::shared_ptr<kgm::Memory> memory(client::Session& session) override;

  // After each command: a timeout with the kernel stopped or a reboot means the next command
  // starts a fresh session; a completed detach ends the agent.
  void after_command(int exit_code);
  bool has_session() const { return held_ != nullptr; }
  bool detached() const { return detached_; }
  SessionState state() const;
  // Told the session's state the moment a command resumes the kernel and when the kernel stops
  // again, so `status`, answered while the command runs, says "running" during a continue.
  void on_state_change(std::function<void(SessionState)> changed) { state_changed_ = std::move(changed); }
  void announce(SessionState now) const {
    if (state_changed_) state_changed_(now);
  }
  void announce() const { announce(state()); }
  // Between commands: acknowledge a stop of a running kernel and queue it.
  void poll_stop(std::chrono::milliseconds wait);

  // Between commands, with the kernel stopped: false when the held session's kernel no longer
  // answers a harmless request (it vanished, rebooted or was taken by another debugger).
  bool target_answers();

  // Before the agent exits: take the kept breakpoints out of a stopped kernel. What was done, for
  // `kdpctl agent stop` to print.
  std::string release();

  // Called by BorrowedSession. Breakpoints stay inserted between commands: `continue` sets the
  // ones it wants (no request for those already in) and "removes" them after the stop, which
  // only marks them unwanted; the next resume lifts those still unwanted (deleted meanwhile).
  // Reads show the original bytes under them; writes over them lift them first.
  Status keep_breakpoint(client::Session& session, uint64_t address);
  Status park_breakpoint(client::Session& session, uint64_t address);
  Status lift_unwanted_breakpoints(client::Session& session);
  Status lift_breakpoints(client::Session& session, uint64_t address, uint64_t size);
  void shadow_breakpoints(const client::Session& session, uint64_t address, Bytes& bytes) const;
  std::optional<client::StopEvent> take_queued_stop();
  void note_disconnect() { detached_ = true; }
  void note_reboot() { stale_ = true; }

 private:
  // A kernel still running after an interrupted continue: wait (up to `limit`) for its stop, which
  // the next continue/step reports, so that every command starts from a stopped kernel.
  Status await_pending_stop(std::chrono::milliseconds limit);

  // `target` spelled either way ("localhost:P", "127.0.0.1:P") is the held kernel. Names are
  // resolved only when the spelling differs.
  bool is_held_target(const std::string& target);

  void drop_cache_unless_kernel_stayed();
  Status lift(client::Session& session, uint64_t address);
  bool has_breakpoint(const client::Session& session, uint64_t address) const;

  std::string target_;
  std::optional<std::string> key_;  // agent_key(target_), once needed
  SessionProvider& fresh_;
  const std::atomic<bool>* interrupt_;
  std::shared_ptr<client::Session> held_;  // shared with the BorrowedSessions of the command
  std::shared_ptr<kgm::Memory> held_memory_;  // over held_, which it keeps alive
  std::function<void(std::string_view)> command_log_;  // the running command's -v sink
  std::function<void(SessionState)> state_changed_;
  std::optional<client::StopEvent> queued_;
  std::set<uint64_t> wanted_;               // breakpoints this command set
  std::map<uint64_t, uint8_t> originals_;   // bytes under kernel-managed breakpoints
  bool stale_ = false;
  bool detached_ = false;
  bool cache_checked_ = false;
  bool last_failed_ = false;          // the last command's exit code was not 0        // this command's first memory() proved the cache current
  uint64_t exceptions_at_rest_ = 0;   // the held session's notifications when the last command ended
};

}  // namespace kdp::cli::agent
