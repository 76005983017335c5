// KdpSession: the Session implementation, written once as plain sequential code over a Link, so
// it runs over libuv UDP (Session::reattach/connect in session.cpp) and over the deterministic
// simulation's virtual network (tests/client) alike. Files: kdp_session.cpp (handshake, plumbing),
// session_memory.cpp, session_state.cpp (registers, MSRs, ports, dumpinfo),
// session_breakpoints.cpp, session_execution.cpp (resume, step, stop fix-ups).
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "kdp/client/link.h"
#include "kdp/client/session.h"
#include "kdp/client/transport.h"

namespace kdp::client {

// Virtual or physical memory, and the requests that reach it (session_memory.cpp).
struct MemorySpace {
  wire::Command read;
  wire::Command write;
  bool physical = false;
  uint16_t lcpu = wire::kCurrentLcpu;
  uint64_t limit = UINT64_MAX;  // highest addressable byte (32-bit READMEM before protocol 11)
  std::string noun() const { return physical ? "physical " : ""; }
};

// Transmissions of an idempotent request (or RESUMECPUS) before a stopped kernel counts as
// silent and the session finds out why (session_recovery.cpp): at 20 % loss each way a round
// trip fails 36 % of the time, six in a row 0.2 % (then one harmless CONNECT retransmission).
inline constexpr int kSilentAttempts = 6;
// The transmissions after which a request counts as silent: kSilentAttempts, or fewer if the
// policy allows fewer. A larger RetryPolicy::max_attempts (kdpctl --retries) must not postpone
// the recovery until the deadline has passed, when it is too late to recover.
inline int silent_attempts(const RetryPolicy& policy) {
  return policy.max_attempts > 0 ? std::min(policy.max_attempts, kSilentAttempts) : kSilentAttempts;
}
// Times one request may find the kernel silent and regain it; after that the kernel, which
// answers our CONNECT, evidently ignores that request.
inline constexpr int kMaxRegains = 2;

enum class AttachMode {
  kReattach,  // REATTACH then CONNECT: take the kernel over from whoever holds it
  kConnect,   // CONNECT only: a kernel nobody holds
};

struct SessionSetup {
  std::string host;   // as the user wrote it, without the port ("macvm")
  Endpoint target;
  SessionOptions options;
  std::optional<uint32_t> first_key;  // the first request key; random when unset
};

// Attaches over `transport` and runs the handshake; the error says "reattach host:port: ...".
Expected<std::unique_ptr<Session>> open_session(std::unique_ptr<Transport> transport, SessionSetup setup,
                                                AttachMode mode);

class KdpSession final : public Session {
 public:
  KdpSession(std::unique_ptr<Transport> transport, SessionSetup setup);

  Status attach(AttachMode mode);

  const TargetInfo& target() const override { return info_; }
  SessionStats stats() const override;
  std::optional<ResumePoint> resume_point() const override;
  bool resumed() const override { return resumed_; }
  uint64_t generation() const override { return generation_; }

  Expected<Bytes> read_memory(uint64_t address, uint64_t size, ProgressFn progress) override;
  Expected<Bytes> read_memory_partial(uint64_t address, uint64_t size) override;
  Status write_memory(uint64_t address, ByteView data) override;
  Expected<Bytes> read_physical(uint64_t address, uint64_t size, uint16_t lcpu) override;
  Status write_physical(uint64_t address, ByteView data, uint16_t lcpu) override;
  Expected<uint64_t> read_msr(uint32_t msr, uint16_t lcpu) override;
  Status write_msr(uint32_t msr, uint64_t value, uint16_t lcpu) override;
  Expected<uint32_t> read_ioport(uint16_t port, uint16_t width, uint16_t lcpu) override;
  Status write_ioport(uint16_t port, uint16_t width, uint32_t value, uint16_t lcpu) override;

  Expected<wire::X86ThreadState64> read_registers() override;
  Status write_registers(const wire::X86ThreadState64& state) override;
  Expected<Bytes> read_float_state() override;

  Status set_breakpoint(uint64_t address) override;
  Status remove_breakpoint(uint64_t address) override;
  std::vector<BreakpointInfo> breakpoints() const override;
  Status adopt_breakpoint(uint64_t address, uint8_t original) override;

  Expected<StopEvent> resume_and_wait(std::chrono::milliseconds timeout) override;
  Expected<StopEvent> single_step(std::chrono::milliseconds timeout) override;
  Expected<StopEvent> wait_for_stop(std::chrono::milliseconds timeout) override;
  bool running() const override { return running_; }

  Status disconnect() override;
  Status reboot() override;
  Expected<wire::DumpInfo> dump_info() override;

 private:
  struct Breakpoint {
    bool kernel_managed = false;
    uint8_t original = 0;
    bool inserted = true;  // false while stepped over
  };

  // kdp_session.cpp
  Status attach_steps(AttachMode mode, Time deadline);
  Status query_target();
  std::string label() const;  // "macvm:41139"
  std::string on_target(std::string step) const { return step + " on " + label(); }
  Status usable();            // not closed, not running
  // Bumps generation_ before any request other than a pure query (kdp_session.cpp).
  void note_request(wire::Command command);
  Expected<wire::Packet> call(wire::Command command, wire::Body body, bool idempotent);
  template <class Reply>
  Expected<Reply> call_for(wire::Command command, wire::Body body, bool idempotent);
  template <class Reply>
  Expected<Reply> call_for(wire::Command command, wire::Body body) {
    return call_for<Reply>(command, std::move(body), is_idempotent(command));
  }

  // session_recovery.cpp
  Status handshake(AttachMode mode, Time deadline);
  void seed_rtt();
  std::optional<Duration> first_reattach_interval() const;
  Expected<uint32_t> connect_once(Time deadline, std::optional<int> max_attempts);
  Expected<wire::Packet> call_recovering(RequestSpec spec);
  Status settle_recovering();
  Status regain(const Error& silence, Time deadline, std::optional<int> attempts = std::nullopt);
  bool conversation_to_fall_back_on() const;
  Status check_same_kernel(const Error& silence);
  Status take_back(const Error& silence, Time deadline);
  Status reinsert_kernel_breakpoints();
  Expected<bool> resumed_or_regained(const Error& unanswered, Time deadline);
  RequestSpec connect_spec() const;

  // session_resume.cpp
  Expected<bool> go_on(const ResumePoint& point, Time deadline);
  Expected<bool> reconnect_or_not(const Error& silence, Time deadline);
  Expected<bool> go_on_after_ignored_reattach(const ResumePoint& point, const Error& unanswered, Time deadline);

  // session_memory.cpp
  MemorySpace virtual_space() const;
  Expected<MemorySpace> physical_space(uint16_t lcpu) const;
  Expected<Bytes> read_span(const MemorySpace& space, uint64_t address, uint64_t size, bool partial,
                            const ProgressFn& progress);
  Status write_span(const MemorySpace& space, uint64_t address, ByteView data);
  Expected<wire::DataReply> read_chunk(const MemorySpace& space, uint64_t address, uint32_t size);
  Status write_chunk(const MemorySpace& space, uint64_t address, ByteView data);
  uint32_t chunk_size() const;

  // session_state.cpp
  Expected<wire::X86ThreadState64> fetch_registers();
  Status store_registers(const wire::X86ThreadState64& state);
  Expected<Bytes> fetch_register_flavor(uint32_t flavor, size_t size);
  // DISCONNECT and HOSTREBOOT: the session is over whatever the answer.
  Expected<wire::Packet> final_request(wire::Command command, int max_attempts);

  // session_ending.cpp: did DISCONNECT / HOSTREBOOT take effect? Asked on this session's socket.
  Expected<bool> still_stopped(Time deadline);
  Expected<bool> answers_reattach();

  // session_breakpoints.cpp
  Status insert(uint64_t address, Breakpoint& breakpoint);
  Status lift(uint64_t address, Breakpoint& breakpoint);
  Status set_memory_breakpoint(uint64_t address);
  Expected<uint32_t> kernel_breakpoint(wire::Command command, uint64_t address);
  bool is_inserted_breakpoint(uint64_t address) const;

  // session_execution.cpp
  Status resume(Time deadline, std::string& note, bool& regained);
  Expected<StopEvent> continue_once(Time deadline);
  Error never_resumed() const;
  Expected<StopEvent> await_stop(Time deadline, const std::string& resume_note, bool stepping);
  Expected<StopEvent> finish_stop(const StopNotice& notice, bool stepping);
  Expected<StopEvent> step_once(Time deadline);
  Status restore_breakpoints();
  Status check_for_stop();

  Link link_;
  SessionSetup setup_;
  TargetInfo info_;
  std::map<uint64_t, Breakpoint> breakpoints_;
  std::optional<StopEvent> early_stop_;  // found by check_for_stop, kept for wait_for_stop
  bool running_ = false;
  bool closed_ = false;
  bool handshake_connected_ = false;  // the current handshake got past CONNECT
  uint64_t generation_ = 0;           // see Session::generation; bumped by note_request
  bool attaching_ = false;  // inside attach()
  bool rtt_seeded_ = false;
  bool resumed_ = false;  // went on with an earlier process's conversation (SessionOptions::resume)
  bool unanswered_reattach_ = false;  // the last handshake failed because REATTACH went unanswered
  bool fallback_tried_ = false;       // SessionOptions::take_over's conversation was tried
  AttachMode mode_ = AttachMode::kReattach;
  Time attached_at_{};
  bool ignored_ = false;  // the last call went unanswered by a kernel that answers KDP_CONNECT
  uint64_t recoveries_ = 0;
};

// "KDP_READMEM64 failed: KDPERR_BAD_NBYTES" unless error is 0.
Status check_kdp_error(wire::Command command, uint32_t error);

template <class Reply>
Expected<Reply> KdpSession::call_for(wire::Command command, wire::Body body, bool idempotent) {
  KDP_TRY(wire::Packet reply, call(command, std::move(body), idempotent));
  if (auto* typed = std::get_if<Reply>(&reply.body)) return std::move(*typed);
  // decode() gives every reply the body shape of its command, so this means a codec change.
  return Error(ErrorKind::kProtocol, wire::command_name(command) + ": unexpected reply layout");
}

}  // namespace kdp::client
