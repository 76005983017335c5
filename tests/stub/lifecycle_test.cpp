// §4.2–§4.5: CONNECT while connected, REATTACH, DISCONNECT, HOSTREBOOT.
#include <type_traits>

#include "tests/stub/harness.h"

using namespace kdp;
using namespace kdp::stub;
using namespace kdp::stub::testing;

// Simulations keep engines in containers and replace them.
static_assert(std::is_move_constructible_v<StubEngine> && std::is_move_assignable_v<StubEngine>);

namespace {

bool is_int3(const StubEngine& e, uint64_t address) { return e.memory().byte_at(address) == kBreakInstruction; }

}  // namespace

TEST_CASE("a second debugger's CONNECT gets a sideband ALREADY_CONNECTED; the session is untouched") {
  Harness h;
  h.connect();
  auto version = h.send(request(Command::kVersion, 1));
  Endpoint intruder{0x7f000003, 40000};
  auto out = h.send(request(Command::kConnect, 0, wire::ConnectRequest{40001, 40002, ""}), intruder);
  REQUIRE(out.size() == 1);
  CHECK(out[0].peer == Endpoint{0x7f000003, 40001});
  CHECK(out[0].bytes == bytes_of({0x80, 0x00, 0x0c, 0, 0, 0, 0, 0, 0x01, 0, 0, 0}));
  CHECK(h.engine.expected_seq() == 2);              // E unchanged
  CHECK(h.engine.stats().already_connected == 1);
  auto replay = h.send(request(Command::kVersion, 1));  // the cache still holds VERSION's reply
  REQUIRE(replay.size() == 1);
  CHECK(replay[0].bytes == version[0].bytes);
  CHECK(h.exchange(request(Command::kHostInfo, 2)).header.seq == 2);  // still served, same port
}

TEST_CASE("a duplicate CONNECT (same seq, ports and key) re-synchronises E") {
  Harness h;
  h.connect(h.debugger, 7);
  for (uint8_t seq = 1; seq <= 4; ++seq) REQUIRE(h.send(request(Command::kMaxBytes, seq)).size() == 1);
  auto reply = h.exchange(request(Command::kConnect, 0,
                                  wire::ConnectRequest{h.debugger.port, h.debugger.port, "Greetings from LLDB..."}, 7));
  CHECK(reply.body == wire::Body{wire::ErrorReply{0}});
  CHECK(h.engine.expected_seq() == 1);
  // A different key is another debugger.
  auto other = h.exchange(request(Command::kConnect, 1,
                                  wire::ConnectRequest{h.debugger.port, h.debugger.port, ""}, 8));
  CHECK(other.body == wire::Body{wire::ErrorReply{1}});
}

TEST_CASE("REATTACH while connected: any seq, reply to its own port, session dropped, kernel stays stopped") {
  Harness h;
  h.connect();
  REQUIRE(h.exchange(request(Command::kBreakpointSet64, 1, wire::BreakpointRequest{kText + 0x10})).body ==
          wire::Body{wire::ErrorReply{0}});
  REQUIRE(is_int3(h.engine, kText + 0x10));
  Endpoint lldb{kLoopback, 51000};
  auto out = h.send(request(Command::kReattach, 9, wire::ReattachRequest{51001}), lldb);
  REQUIRE(out.size() == 1);
  CHECK(out[0].peer == Endpoint{kLoopback, 51001});
  CHECK(out[0].bytes == bytes_of({0x92, 0x09, 0x08, 0, 0, 0, 0, 0}));
  CHECK_FALSE(h.engine.connected());
  CHECK_FALSE(h.engine.running());
  CHECK(h.engine.expected_seq() == 0);
  CHECK_FALSE(is_int3(h.engine, kText + 0x10));  // breakpoints removed
  CHECK(h.engine.memory().byte_at(kText + 0x10) == 0x20);
  CHECK(h.log_contains("Remote debugger disconnected."));
  // The old session's next request is ignored; a fresh CONNECT seq 0 is accepted.
  CHECK(h.send(request(Command::kHostInfo, 2)).empty());
  h.connect(lldb);
  CHECK(h.engine.expected_seq() == 1);
}

TEST_CASE("REATTACH while waiting (seq 0) is answered and the kernel keeps waiting with E = 0") {
  Harness h;
  auto out = h.send(request(Command::kReattach, 0, wire::ReattachRequest{50001}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].peer == Endpoint{kLoopback, 50001});
  CHECK(out[0].bytes == bytes_of({0x92, 0x00, 0x08, 0, 0, 0, 0, 0}));
  CHECK_FALSE(h.engine.connected());
  CHECK(h.engine.expected_seq() == 0);
  CHECK(h.send(request(Command::kReattach, 1, wire::ReattachRequest{50001})).empty());
  h.connect();
}

TEST_CASE("DISCONNECT replies to the stored reply port, removes breakpoints and resumes the kernel") {
  Harness h;
  h.connect(h.debugger, 0, 50009);
  REQUIRE(h.send(request(Command::kBreakpointSet64, 1, wire::BreakpointRequest{kText})).size() == 1);
  auto out = h.send(request(Command::kDisconnect, 2), Endpoint{kLoopback, 44444});
  REQUIRE(out.size() == 1);
  CHECK(out[0].peer == h.debugger);
  CHECK(out[0].bytes == bytes_of({0x81, 0x02, 0x08, 0, 0, 0, 0, 0}));
  CHECK_FALSE(h.engine.connected());
  CHECK(h.engine.running());
  CHECK(h.engine.memory().byte_at(kText) == 0x10);
  CHECK(h.engine.breakpoints().size() == 0);
  CHECK(h.send(request(Command::kConnect, 0, wire::ConnectRequest{1, 1, ""})).empty());  // running: deaf
  CHECK(h.engine.stats().dropped_while_running == 1);
}

TEST_CASE("DUMPINFO NORESUME makes the next DISCONNECT keep the kernel stopped and waiting") {
  Harness h;
  h.connect();
  wire::DumpInfo set{"core", "", "", 0, 0x1 | 0x20000000};  // SETINFO | NORESUME
  auto reply = h.exchange(request(Command::kDumpInfo, 1, set));
  auto* info = std::get_if<wire::DumpInfo>(&reply.body);
  REQUIRE(info != nullptr);
  CHECK(info->type == (0x105u | 0x20000000u));
  CHECK(info->port == 1069);
  REQUIRE(h.send(request(Command::kDisconnect, 2)).size() == 1);
  CHECK_FALSE(h.engine.running());
  CHECK_FALSE(h.engine.connected());
  h.connect();
  auto get = h.exchange(request(Command::kDumpInfo, 1, wire::DumpInfo{}));
  CHECK(std::get<wire::DumpInfo>(get.body).type == 0x105u);  // NORESUME was consumed
}

TEST_CASE("HOSTREBOOT (any seq while waiting, in sequence while connected) resets the machine, no reply") {
  Harness h;
  CHECK(h.send(request(Command::kHostReboot, 77)).empty());
  CHECK(h.engine.stats().reboots == 1);
  CHECK(h.engine.booting());
  h.advance(TargetConfig{}.boot_time - 1ms);
  CHECK(h.send(request(Command::kConnect, 0, wire::ConnectRequest{h.debugger.port, h.debugger.port, ""})).empty());
  CHECK(h.engine.stats().dropped_while_booting == 1);  // the machine is restarting: deaf
  h.advance(1ms);
  CHECK_FALSE(h.engine.booting());
  h.connect();
  wire::X86ThreadState64 regs = test_registers();
  regs.rip() = 0x1234;
  REQUIRE(h.send(request(Command::kWriteRegs, 1, wire::WriteRegsRequest{0, 4, regs.encode()})).size() == 1);
  REQUIRE(h.send(request(Command::kBreakpointSet64, 2, wire::BreakpointRequest{kText + 1})).size() == 1);
  CHECK(h.send(request(Command::kHostReboot, 9)).empty());  // out of sequence: ignored
  CHECK(h.engine.stats().reboots == 1);
  CHECK(h.send(request(Command::kHostReboot, 3)).empty());
  CHECK(h.engine.stats().reboots == 2);
  CHECK(h.send(request(Command::kHostReboot, 0)).empty());  // a copy that finds it restarting
  CHECK(h.engine.stats().reboots == 2);
  CHECK_FALSE(h.engine.connected());
  CHECK_FALSE(h.engine.running());
  CHECK(h.engine.registers() == test_registers());
  CHECK(h.engine.memory().byte_at(kText + 1) == 0x11);
  CHECK(h.log_contains("HOSTREBOOT"));
}

TEST_CASE("the kernel learns the debugger's IP while waiting and sends notifications there") {
  ExecutionScript script = walk({kText, kText + 1});
  Harness h({}, script);
  Endpoint gdb{0x0a000005, 30000};
  auto out = h.send(request(Command::kConnect, 0, wire::ConnectRequest{30000, 30001, ""}), gdb);
  REQUIRE(out.size() == 1);
  REQUIRE(h.send(request(Command::kBreakpointSet64, 1, wire::BreakpointRequest{kText + 1}), gdb).size() == 1);
  REQUIRE(h.send(request(Command::kResumeCpus, 2, wire::ResumeRequest{1}), gdb).size() == 1);
  auto note = h.advance(10ms);
  REQUIRE(note.size() == 1);
  CHECK(note[0].peer == Endpoint{0x0a000005, 30001});  // gdb's separate exception port
}
