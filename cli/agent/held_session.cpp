#include "cli/agent/held_session.h"

namespace kdp::cli::agent {
namespace {

// Forwards to the held session; its destruction leaves that session open. It shares ownership:
// a command may open a second session while it holds the first (reboot confirms with a fresh
// one), and a stale held session replaced meanwhile must outlive its borrowers.
class BorrowedSession final : public client::Session {
 public:
  BorrowedSession(std::shared_ptr<client::Session> held, HeldSessionProvider& owner)
      : held_(std::move(held)), s_(*held_), owner_(owner) {}

  const client::TargetInfo& target() const override { return s_.target(); }
  client::SessionStats stats() const override { return s_.stats(); }
  Expected<Bytes> read_memory(uint64_t a, uint64_t n, client::ProgressFn p) override {
    return s_.read_memory(a, n, std::move(p));
  }
  Expected<Bytes> read_memory_partial(uint64_t a, uint64_t n) override { return s_.read_memory_partial(a, n); }
  Status write_memory(uint64_t a, ByteView d) override { return s_.write_memory(a, d); }
  Expected<Bytes> read_physical(uint64_t a, uint64_t n, uint16_t c) override { return s_.read_physical(a, n, c); }
  Status write_physical(uint64_t a, ByteView d, uint16_t c) override { return s_.write_physical(a, d, c); }
  Expected<uint64_t> read_msr(uint32_t m, uint16_t c) override { return s_.read_msr(m, c); }
  Status write_msr(uint32_t m, uint64_t v, uint16_t c) override { return s_.write_msr(m, v, c); }
  Expected<uint32_t> read_ioport(uint16_t p, uint16_t w, uint16_t c) override { return s_.read_ioport(p, w, c); }
  Status write_ioport(uint16_t p, uint16_t w, uint32_t v, uint16_t c) override {
    return s_.write_ioport(p, w, v, c);
  }
  Expected<wire::X86ThreadState64> read_registers() override { return s_.read_registers(); }
  Status write_registers(const wire::X86ThreadState64& r) override { return s_.write_registers(r); }
  Expected<Bytes> read_float_state() override { return s_.read_float_state(); }
  Status set_breakpoint(uint64_t a) override { return s_.set_breakpoint(a); }
  Status remove_breakpoint(uint64_t a) override { return s_.remove_breakpoint(a); }
  std::vector<client::BreakpointInfo> breakpoints() const override { return s_.breakpoints(); }
  Status adopt_breakpoint(uint64_t a, uint8_t o) override { return s_.adopt_breakpoint(a, o); }

  // A stop that arrived while no command ran is the answer to this resume.
  Expected<client::StopEvent> resume_and_wait(std::chrono::milliseconds t) override {
    if (auto stop = owner_.take_queued_stop()) return *stop;
    return s_.resume_and_wait(t);
  }
  Expected<client::StopEvent> single_step(std::chrono::milliseconds t) override {
    if (auto stop = owner_.take_queued_stop()) return *stop;
    return s_.single_step(t);
  }
  Expected<client::StopEvent> wait_for_stop(std::chrono::milliseconds t) override {
    if (auto stop = owner_.take_queued_stop()) return *stop;
    return s_.wait_for_stop(t);
  }
  bool running() const override { return s_.running(); }
  uint64_t generation() const override { return s_.generation(); }

  Status disconnect() override {
    Status done = s_.disconnect();
    owner_.note_disconnect();  // answered or not, this session is over
    return done;
  }
  Status reboot() override {
    owner_.note_reboot();
    return s_.reboot();
  }
  Expected<wire::DumpInfo> dump_info() override { return s_.dump_info(); }

 private:
  std::shared_ptr<client::Session> held_;
  client::Session& s_;
  HeldSessionProvider& owner_;
};

}  // namespace

Expected<std::unique_ptr<client::Session>> HeldSessionProvider::open(const std::string& target, AttachKind kind,
                                                                     client::SessionOptions options) {
  if (kind != AttachKind::kReattach || target != target_) return fresh_.open(target, kind, std::move(options));
  const std::chrono::milliseconds stop_limit = options.retry.deadline;
  command_log_ = std::move(options.packet_log);
  if (!held_ || stale_ || detached_) {
    held_.reset();
    queued_.reset();
    options.packet_log = [this](std::string_view line) {
      if (command_log_) command_log_(line);
    };
    options.interrupt = interrupt_;
    KDP_TRY(std::unique_ptr<client::Session> fresh, fresh_.open(target, kind, std::move(options)));
    held_ = std::move(fresh);
    stale_ = detached_ = false;
  }
  KDP_TRY_STATUS(await_pending_stop(stop_limit));
  return std::unique_ptr<client::Session>(std::make_unique<BorrowedSession>(held_, *this));
}

Expected<std::unique_ptr<client::Session>> HeldSessionProvider::probe(const std::string& target, AttachKind kind,
                                                                      client::SessionOptions options) {
  auto session = fresh_.probe(target, kind, std::move(options));
  if (session && target == target_) stale_ = true;
  return session;
}

void HeldSessionProvider::after_command(int exit_code) {
  command_log_ = nullptr;
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

std::optional<client::StopEvent> HeldSessionProvider::take_queued_stop() {
  auto stop = std::move(queued_);
  queued_.reset();
  return stop;
}

}  // namespace kdp::cli::agent
