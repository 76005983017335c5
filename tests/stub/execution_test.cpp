// §4.6–§4.8: RESUMECPUS, the scripted CPU, exception notifications, acks and retransmissions.
#include "tests/stub/harness.h"

using namespace kdp;
using namespace kdp::stub;
using namespace kdp::stub::testing;

namespace {

constexpr uint64_t kA = kText + 0x100, kB = kText + 0x104, kC = kText + 0x108;
constexpr uint16_t kExcPort = 50001;

// Connected (reply port 50000, exception port 50001) with a three-step looping script.
struct Running : Harness {
  explicit Running(ExecutionScript script = walk({kA, kB, kC})) : Harness({}, std::move(script)) {
    connect(debugger, 0, kExcPort);
  }
  void set_breakpoint(uint64_t at) {
    REQUIRE(send(request(Command::kBreakpointSet64, seq++, wire::BreakpointRequest{at})).size() == 1);
  }
  void resume() {
    auto out = send(request(Command::kResumeCpus, seq++, wire::ResumeRequest{0xffffffff}));
    REQUIRE(out.size() == 1);
    CHECK(out[0].bytes == bytes_of({0x8c, seq - 1, 0x08, 0, 0, 0, 0, 0}));
    REQUIRE(engine.running());
  }
  // Sets a breakpoint, resumes, and returns the notification of the stop there.
  Datagram run_to_breakpoint(uint64_t at) {
    set_breakpoint(at);
    resume();
    auto out = advance(10ms);
    REQUIRE(out.size() == 1);
    return out[0];
  }
  // WRITEREGS flavor 4 with a new RIP and the trap flag set or clear.
  void write_rip(uint64_t rip, bool single_step = false) {
    wire::X86ThreadState64 regs = engine.registers();
    regs.rip() = rip;
    if (single_step) regs.rflags() |= wire::X86ThreadState64::kTrapFlag;
    REQUIRE(send(request(Command::kWriteRegs, seq++, wire::WriteRegsRequest{0, 4, regs.encode()})).size() == 1);
  }
  // An LLDB-style ack: the notification's first 8 bytes with the reply bit, len left at 28.
  std::vector<Datagram> ack(const Datagram& note) {
    Bytes b(note.bytes.begin(), note.bytes.begin() + 8);
    b[0] |= 0x80;
    return send_bytes(b, debugger);
  }
  uint8_t seq = 1;
};

Bytes notification(uint8_t seq) {
  return bytes_of({0x0d, seq, 0x1c, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0});
}

}  // namespace

TEST_CASE("RESUMECPUS replies, then the CPU walks the script; a 0xCC stops it with a notification") {
  Running h;
  h.set_breakpoint(kC);
  h.resume();
  CHECK(h.send(request(Command::kHostInfo, h.seq)).empty());  // running: nobody listens
  auto out = h.advance(10ms);
  REQUIRE(out.size() == 1);
  CHECK(out[0].peer == Endpoint{kLoopback, kExcPort});
  CHECK(out[0].bytes == notification(0));
  CHECK(h.engine.registers().rip() == kC + 1);  // after the int3
  CHECK(h.engine.awaiting_ack());
  CHECK(h.ack(out[0]).empty());
  CHECK(h.engine.stats().acks == 1);
  CHECK_FALSE(h.engine.running());
  CHECK(h.engine.exception_seq() == 1);
  // E continues from before the stop.
  CHECK(h.exchange(request(Command::kHostInfo, h.seq)).header.seq == h.seq);
}

TEST_CASE("the second stop's notification carries the next notification seq") {
  Running h;
  h.ack(h.run_to_breakpoint(kB));
  // Rewinding RIP without removing the breakpoint executes the int3 again at once.
  h.write_rip(kB);
  h.resume();
  auto second = h.advance(5ms);
  REQUIRE(second.size() == 1);  // still a breakpoint at kB: hit again at once
  CHECK(second[0].bytes == notification(1));
  CHECK(h.engine.registers().rip() == kB + 1);
}

TEST_CASE("single-step: TF set at resume stops after one step at the next address") {
  Running h;
  h.write_rip(kA, true);
  h.resume();
  auto out = h.advance(1ms);
  REQUIRE(out.size() == 1);
  CHECK(out[0].bytes == notification(0));
  CHECK(h.engine.registers().rip() == kB);
}

TEST_CASE("an unacked notification is resent every 152.5 ms; after 101 transmissions the kernel gives up") {
  Running h;
  Datagram first = h.run_to_breakpoint(kA);
  auto resent = h.advance(kAckPollWindow + kAckSpin);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].bytes == first.bytes);
  CHECK(resent[0].peer == first.peer);
  auto rest = h.advance(std::chrono::seconds(20));
  CHECK(rest.size() == 99);  // 101 transmissions in all
  CHECK(h.engine.stats().exceptions_sent == 1);
  CHECK(h.engine.stats().exception_retransmits == 100);
  CHECK(h.engine.stats().ack_timeouts == 1);
  CHECK(h.log_contains("kdp: exception ack timeout"));
  CHECK(h.log_contains("Remote debugger disconnected."));
  CHECK_FALSE(h.engine.connected());
  CHECK(h.engine.running());                        // the kernel continues
  CHECK(h.engine.memory().byte_at(kA) == 0x10);     // breakpoints removed
}

TEST_CASE("while awaiting the ack, requests are discarded and cut the poll window short") {
  Running h;
  h.run_to_breakpoint(kA);
  CHECK(h.send(request(Command::kHostInfo, h.seq)).empty());
  CHECK(h.engine.stats().dropped_awaiting_ack == 1);
  auto resent = h.advance(kAckSpin);  // resent 2.5 ms after the stray datagram, not 150 ms
  REQUIRE(resent.size() == 1);
  // Acks that do not match are discarded too: wrong seq, no reply bit.
  CHECK(h.send_bytes(bytes_of({0x8d, 5, 8, 0, 0, 0, 0, 0}), h.debugger).empty());
  CHECK(h.send_bytes(bytes_of({0x0d, 0, 8, 0, 0, 0, 0, 0}), h.debugger).empty());
  CHECK(h.engine.stats().dropped_awaiting_ack == 3);
  CHECK(h.engine.awaiting_ack());
  CHECK(h.send_bytes(bytes_of({0x8d, 0, 8, 0, 0, 0, 0, 0}), h.debugger).empty());  // gdb's ack, len 8
  CHECK_FALSE(h.engine.awaiting_ack());
  CHECK(h.exchange(request(Command::kHostInfo, h.seq)).header.seq == h.seq);
}

TEST_CASE("stop_after_resume and schedule_stop_after stop a running kernel like an NMI") {
  ExecutionScript script = walk({}, true, 30ms);
  Running h(script);
  h.resume();
  CHECK(h.advance(29ms).empty());
  auto out = h.advance(1ms);
  REQUIRE(out.size() == 1);
  CHECK(out[0].bytes == notification(0));
  h.ack(out[0]);
  h.engine.schedule_stop_after(5ms, h.now);  // the kernel is stopped then: nothing happens
  CHECK(h.advance(10ms).empty());
  CHECK_FALSE(h.engine.running());
  h.engine.trap(2, 13, 0, h.now);           // a trap while stopped is ignored
  CHECK(h.engine.take_outgoing().empty());
}

TEST_CASE("trap() reports the given exception; without a debugger the kernel waits instead") {
  Running h(walk({kA}));
  h.resume();
  h.engine.trap(1, 2, 0xdead, h.now);
  auto out = h.engine.take_outgoing();
  REQUIRE(out.size() == 1);
  auto p = decode_ok(out[0].bytes);
  CHECK(p.body == wire::Body{wire::ExceptionNotification{{{0, 1, 2, 0xdead}}}});
  h.ack(out[0]);
  REQUIRE(h.send(request(Command::kDisconnect, h.seq++)).size() == 1);
  REQUIRE(h.engine.running());
  h.engine.trap(6, 3, 0, h.now);
  CHECK(h.engine.take_outgoing().empty());  // no notification for the first stop
  CHECK_FALSE(h.engine.running());
  CHECK_FALSE(h.engine.connected());
  CHECK(h.log_contains("Waiting for remote debugger connection."));
}

TEST_CASE("DISCONNECT removes the breakpoints, so the kernel then runs past their addresses") {
  Running h(walk({kA, kB}));
  h.set_breakpoint(kB);
  REQUIRE(h.send(request(Command::kDisconnect, h.seq++)).size() == 1);  // removes it again
  REQUIRE(h.engine.running());
  CHECK(h.advance(50ms).empty());
  CHECK(h.engine.running());
}

TEST_CASE("a non-looping script idles at its end; a late on_timer catches up step by step") {
  Running h(walk({kA, kB, kC}, false));
  h.resume();
  h.now += 100ms;
  h.engine.on_timer(h.now);
  CHECK(h.engine.registers().rip() == kC);
  CHECK_FALSE(h.engine.next_deadline().has_value());
  CHECK(h.engine.running());
}
