#include "cli/agent/held_session.h"

#include "cli/agent/agent_key.h"
#include "cli/core/int3_journal.h"
#include "kgm/cached_memory.h"
#include "kdp/client/forwarding_session.h"

namespace kdp::cli::agent {
namespace {

// Forwards to the held session; its destruction leaves that session open. It shares ownership:
// a command may open a second session while it holds the first (reboot confirms with a fresh
// one), and a stale held session replaced meanwhile must outlive its borrowers.
class BorrowedSession final : public client::ForwardingSession {
 public:
  // `lent_at`: the held session's stats when the command began (zero when it opened the session,
  // whose handshake is then the command's, as in direct mode).
  // `reused`: lent a session an earlier command opened (the command attached to nothing new).
  BorrowedSession(std::shared_ptr<client::Session> held, HeldSessionProvider& owner, client::SessionStats lent_at,
                  bool reused = false)
      : ForwardingSession(*held), held_(std::move(held)), s_(inner()), owner_(owner), lent_at_(lent_at), reused_(reused) {}

  bool borrows(const std::shared_ptr<client::Session>& held) const { return held_ == held; }

  // This command's share of the traffic (-v counts the requests a command sent); the RTT
  // estimate is the held session's.
  client::SessionStats stats() const override { return since(s_.stats(), lent_at_); }
  // The agent keeps the conversation itself.
  std::optional<client::ResumePoint> resume_point() const override { return std::nullopt; }
  bool resumed() const override { return reused_ || s_.resumed(); }
  // Reads show the bytes under the breakpoints the agent keeps inserted, as gdb's do.
  Expected<Bytes> read_memory(uint64_t a, uint64_t n, client::ProgressFn p) override {
    KDP_TRY(Bytes bytes, s_.read_memory(a, n, std::move(p)));
    owner_.shadow_breakpoints(s_, a, bytes);
    return bytes;
  }
  Expected<Bytes> read_memory_partial(uint64_t a, uint64_t n) override {
    KDP_TRY(Bytes bytes, s_.read_memory_partial(a, n));
    owner_.shadow_breakpoints(s_, a, bytes);
    return bytes;
  }
  Status write_memory(uint64_t a, ByteView d) override {
    KDP_TRY_STATUS(owner_.lift_breakpoints(s_, a, d.size()));  // the next continue sets them over the new bytes
    return s_.write_memory(a, d);
  }
  Status set_breakpoint(uint64_t a) override { return owner_.keep_breakpoint(s_, a); }
  Status remove_breakpoint(uint64_t a) override { return owner_.park_breakpoint(s_, a); }

  // A stop that arrived while no command ran is the answer to this resume.
  Expected<client::StopEvent> resume_and_wait(std::chrono::milliseconds t) override {
    if (auto stop = owner_.take_queued_stop()) return *stop;
    KDP_TRY_STATUS(owner_.lift_unwanted_breakpoints(s_));
    owner_.announce(SessionState::kRunning);
    auto stop = s_.resume_and_wait(t);
    owner_.announce();
    return stop;
  }
  Expected<client::StopEvent> single_step(std::chrono::milliseconds t) override {
    if (auto stop = owner_.take_queued_stop()) return *stop;
    owner_.announce(SessionState::kRunning);
    auto stop = s_.single_step(t);
    owner_.announce();
    return stop;
  }
  Expected<client::StopEvent> wait_for_stop(std::chrono::milliseconds t) override {
    if (auto stop = owner_.take_queued_stop()) return *stop;
    return s_.wait_for_stop(t);
  }

  Status disconnect() override {
    (void)owner_.lift_breakpoints(s_, 0, UINT64_MAX);  // the kernel runs on without them
    Status done = s_.disconnect();
    owner_.note_disconnect();  // answered or not, this session is over
    return done;
  }
  Status reboot() override {
    owner_.note_reboot();
    return s_.reboot();
  }

 private:
  static client::SessionStats since(client::SessionStats now, const client::SessionStats& base) {
    now.requests -= base.requests;
    now.transmissions -= base.transmissions;
    now.retransmissions -= base.retransmissions;
    now.replies -= base.replies;
    now.discarded -= base.discarded;
    now.exceptions -= base.exceptions;
    now.acks -= base.acks;
    now.resyncs -= base.resyncs;
    now.redundant -= base.redundant;
    return now;
  }

  std::shared_ptr<client::Session> held_;
  client::Session& s_;
  HeldSessionProvider& owner_;
  client::SessionStats lent_at_;
  bool reused_;
};

}  // namespace

Expected<std::unique_ptr<client::Session>> HeldSessionProvider::open(const std::string& target, AttachKind kind,
                                                                     client::SessionOptions options) {
  // A live held session serves reattach and connect alike (it is kdpctl's own, not another
  // debugger's); a new one is opened the way the command asks: connect never takes over.
  if (!is_held_target(target)) return fresh_.open(target, kind, std::move(options));
  const std::chrono::milliseconds stop_limit = options.retry.deadline;
  command_log_ = std::move(options.packet_log);
  client::SessionStats lent_at = held_ ? held_->stats() : client::SessionStats{};
  // After a failed command, one harmless request first: a held session whose target restarted
  // (its socket refused, its conversation gone) is replaced now, not failed on again.
  if (held_ && !stale_ && !detached_ && last_failed_ && !held_->running() && !held_->read_registers()) stale_ = true;
  const bool reused = held_ && !stale_ && !detached_;
  if (!reused) {
    lent_at = {};  // the new session's handshake is this command's, as in direct mode
    held_.reset();
    held_memory_.reset();
    queued_.reset();
    wanted_.clear();
    originals_.clear();
    options.packet_log = [this](std::string_view line) {
      if (command_log_) command_log_(line);
    };
    options.interrupt = interrupt_;
    const auto journal = std::dynamic_pointer_cast<Int3JournalFile>(options.int3_journal);
    KDP_TRY(std::unique_ptr<client::Session> fresh, fresh_.open(target, kind, std::move(options)));
    held_ = std::move(fresh);
    // int3s a killed agent (or this one's previous session) left in memory: their original bytes
    // go back now; the next continue sets the breakpoints it wants again.
    if (journal) KDP_TRY_STATUS(restore_int3s(*held_, *journal));
    // The cache reads through a borrower of its own, so it sees the breakpoints shadowed.
    auto reader = std::make_shared<BorrowedSession>(held_, *this, client::SessionStats{});
    held_memory_ = cached_session_memory(*reader, reader);
    stale_ = detached_ = false;
  }
  KDP_TRY_STATUS(await_pending_stop(stop_limit));
  // `connect` says it used kdpctl's own session; `reattach` prints what direct mode prints (the
  // agent took the kernel over when it opened the session it lends).
  const bool says_reused = reused && kind == AttachKind::kConnect;
  return std::unique_ptr<client::Session>(std::make_unique<BorrowedSession>(held_, *this, lent_at, says_reused));
}

bool HeldSessionProvider::is_held_target(const std::string& target) {
  if (target == target_) return true;
  if (!key_) key_ = agent_key(target_);
  return agent_key(target) == *key_;
}

std::shared_ptr<kgm::Memory> HeldSessionProvider::memory(client::Session& session) {
  const auto* borrowed = dynamic_cast<const BorrowedSession*>(&session);
  if (!borrowed || !held_memory_ || !borrowed->borrows(held_)) return SessionProvider::memory(session);
  if (!cache_checked_) drop_cache_unless_kernel_stayed();
  cache_checked_ = true;
  return held_memory_;
}

// Between two commands the kernel may have been taken, resumed and stopped again by another
// debugger, or restarted; the session cannot see that without asking. One harmless request
// (READREGS) answered in our conversation means the kernel still expects our sequence number,
// so nobody reattached; no exception notification since the last command means it did not run.
void HeldSessionProvider::drop_cache_unless_kernel_stayed() {
  auto* cache = dynamic_cast<kgm::CachedMemory*>(held_memory_.get());
  if (!cache || cache->cached_bytes() == 0) return;  // nothing an earlier command left to serve
  const uint64_t generation = held_->generation();
  const client::SessionStats before = held_->stats();
  const bool answered = held_->read_registers().has_value();
  const client::SessionStats after = held_->stats();
  const bool stayed = answered && !held_->running() && held_->generation() == generation &&
                      after.recoveries == before.recoveries && after.exceptions == exceptions_at_rest_;
  if (!stayed) cache->invalidate();
}

void HeldSessionProvider::after_command(int exit_code) {
  command_log_ = nullptr;
  cache_checked_ = false;
  last_failed_ = exit_code != 0;
  if (held_) exceptions_at_rest_ = held_->stats().exceptions;
  wanted_.clear();  // kept inserted; the next continue wants again those it still has
  constexpr int kTimeoutExit = 3;  // core/exit_codes.h kExitTimeout
  if (held_ && exit_code == kTimeoutExit && !held_->running()) stale_ = true;
  if (stale_ && !held_) stale_ = false;
}

SessionState HeldSessionProvider::state() const {
  if (!held_ || stale_ || detached_) return SessionState::kNone;
  return held_->running() ? SessionState::kRunning : SessionState::kStopped;
}

Status HeldSessionProvider::await_pending_stop(std::chrono::milliseconds limit) {
  if (queued_ || !held_->running()) return {};
  auto stop = held_->wait_for_stop(limit);
  if (!stop)
    return std::move(stop).error().context("the kernel runs since an interrupted continue and has not stopped");
  queued_ = std::move(stop).value();
  return {};
}

void HeldSessionProvider::poll_stop(std::chrono::milliseconds wait) {
  if (!held_ || queued_ || stale_ || detached_ || !held_->running()) return;
  auto stop = held_->wait_for_stop(wait);
  if (stop) queued_ = std::move(stop).value();
}

bool HeldSessionProvider::target_answers() {
  if (!held_ || stale_ || detached_ || held_->running()) return true;  // nothing to ask now
  // READREGS changes nothing in the kernel. Two tries, each with the session's own retries and
  // deadline, so one unlucky stretch of a lossy link is not taken for a vanished kernel.
  for (int attempt = 0; attempt < 2; ++attempt)
    if (held_->read_registers()) return true;
  return false;
}

Status HeldSessionProvider::keep_breakpoint(client::Session& session, uint64_t address) {
  if (!has_breakpoint(session, address)) {
    // A kernel-managed breakpoint's original byte is the kernel's secret: read it first, to show
    // it in place of the int3 later (a breakpoint the session writes remembers its own).
    if (session.target().kernel_breakpoints())
      if (auto byte = session.read_memory_partial(address, 1); byte && !byte->empty()) originals_[address] = (*byte)[0];
    KDP_TRY_STATUS(session.set_breakpoint(address));
  }
  wanted_.insert(address);
  return {};
}

Status HeldSessionProvider::park_breakpoint(client::Session& session, uint64_t address) {
  if (!has_breakpoint(session, address)) return session.remove_breakpoint(address);  // its error
  wanted_.erase(address);
  return {};
}

Status HeldSessionProvider::lift_unwanted_breakpoints(client::Session& session) {
  for (const client::BreakpointInfo& bp : session.breakpoints())
    if (!wanted_.count(bp.address)) KDP_TRY_STATUS(lift(session, bp.address));
  return {};
}

Status HeldSessionProvider::lift_breakpoints(client::Session& session, uint64_t address, uint64_t size) {
  for (const client::BreakpointInfo& bp : session.breakpoints())
    if (bp.address >= address && bp.address - address < size) KDP_TRY_STATUS(lift(session, bp.address));
  return {};
}

Status HeldSessionProvider::lift(client::Session& session, uint64_t address) {
  KDP_TRY_STATUS(session.remove_breakpoint(address));
  wanted_.erase(address);
  originals_.erase(address);
  return {};
}

bool HeldSessionProvider::has_breakpoint(const client::Session& session, uint64_t address) const {
  for (const client::BreakpointInfo& bp : session.breakpoints())
    if (bp.address == address) return true;
  return false;
}

void HeldSessionProvider::shadow_breakpoints(const client::Session& session, uint64_t address, Bytes& bytes) const {
  for (const client::BreakpointInfo& bp : session.breakpoints()) {
    if (bp.address < address || bp.address - address >= bytes.size()) continue;
    auto original = originals_.find(bp.address);
    if (bp.kernel_managed && original == originals_.end()) continue;  // unknown: show what is there
    bytes[static_cast<size_t>(bp.address - address)] = bp.kernel_managed ? original->second : bp.original;
  }
}

std::string HeldSessionProvider::release() {
  if (!held_ || stale_ || detached_) return "it held no session with the kernel";
  if (held_->running()) return "the kernel is running (nothing to take out)";
  size_t written = 0, managed = 0;
  for (const client::BreakpointInfo& bp : held_->breakpoints()) ++(bp.kernel_managed ? managed : written);
  if (Status lifted = lift_breakpoints(*held_, 0, UINT64_MAX); !lifted)
    return "could not take its breakpoints out: " + lifted.error().message();
  if (managed + written == 0) return "no breakpoints were inserted; the kernel stays stopped";
  std::string text = "took out " + std::to_string(managed + written) + (managed + written == 1 ? " breakpoint" : " breakpoints");
  if (written) text += " (" + std::to_string(written) + " of them int3s written to memory: original bytes back, journal entries gone)";
  return text + "; the kernel stays stopped";
}

std::optional<client::StopEvent> HeldSessionProvider::take_queued_stop() {
  auto stop = std::move(queued_);
  queued_.reset();
  return stop;
}

}  // namespace kdp::cli::agent
