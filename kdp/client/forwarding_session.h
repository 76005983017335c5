// A Session that passes every call to another one: the base of sessions that change a few calls
// (the agent's borrowed sessions) or add something around the whole (kdpctl keeping the
// conversation for the next command).
#pragma once

#include "kdp/client/session.h"

namespace kdp::client {

class ForwardingSession : public Session {
 public:
  explicit ForwardingSession(Session& inner) : s_(inner) {}

  const TargetInfo& target() const override { return s_.target(); }
  SessionStats stats() const override { return s_.stats(); }
  std::optional<ResumePoint> resume_point() const override { return s_.resume_point(); }
  bool resumed() const override { return s_.resumed(); }
  uint64_t generation() const override { return s_.generation(); }

  Expected<Bytes> read_memory(uint64_t a, uint64_t n, ProgressFn p) override { return s_.read_memory(a, n, std::move(p)); }
  Expected<Bytes> read_memory_partial(uint64_t a, uint64_t n) override { return s_.read_memory_partial(a, n); }
  Status write_memory(uint64_t a, ByteView d) override { return s_.write_memory(a, d); }
  Expected<Bytes> read_physical(uint64_t a, uint64_t n, uint16_t c) override { return s_.read_physical(a, n, c); }
  Status write_physical(uint64_t a, ByteView d, uint16_t c) override { return s_.write_physical(a, d, c); }
  Expected<uint64_t> read_msr(uint32_t m, uint16_t c) override { return s_.read_msr(m, c); }
  Status write_msr(uint32_t m, uint64_t v, uint16_t c) override { return s_.write_msr(m, v, c); }
  Expected<uint32_t> read_ioport(uint16_t p, uint16_t w, uint16_t c) override { return s_.read_ioport(p, w, c); }
  Status write_ioport(uint16_t p, uint16_t w, uint32_t v, uint16_t c) override { return s_.write_ioport(p, w, v, c); }

  Expected<wire::X86ThreadState64> read_registers() override { return s_.read_registers(); }
  Status write_registers(const wire::X86ThreadState64& r) override { return s_.write_registers(r); }
  Expected<Bytes> read_float_state() override { return s_.read_float_state(); }

  Status set_breakpoint(uint64_t a) override { return s_.set_breakpoint(a); }
  Status remove_breakpoint(uint64_t a) override { return s_.remove_breakpoint(a); }
  std::vector<BreakpointInfo> breakpoints() const override { return s_.breakpoints(); }
  Status adopt_breakpoint(uint64_t a, uint8_t o) override { return s_.adopt_breakpoint(a, o); }

  Expected<StopEvent> resume_and_wait(std::chrono::milliseconds t) override { return s_.resume_and_wait(t); }
  Expected<StopEvent> single_step(std::chrono::milliseconds t) override { return s_.single_step(t); }
  Expected<StopEvent> wait_for_stop(std::chrono::milliseconds t) override { return s_.wait_for_stop(t); }
  bool running() const override { return s_.running(); }

  Status disconnect() override { return s_.disconnect(); }
  Status reboot() override { return s_.reboot(); }
  Expected<wire::DumpInfo> dump_info() override { return s_.dump_info(); }

 protected:
  Session& inner() const { return s_; }

 private:
  Session& s_;
};

}  // namespace kdp::client
