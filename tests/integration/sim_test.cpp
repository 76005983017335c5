// Every stub rule over real UDP on loopback against the kdp-sim binary (spec §2–§4, §10): requests
// are built with the codec, replies compared byte for byte, silence asserted with a bounded wait.
#include <doctest/doctest.h>

#include <string>

#include "kdp/wire/codec.h"
#include "macho/core/core_file.h"
#include "tests/integration/sim_process.h"

using namespace kdp;
using namespace kdp::testing;
using wire::Command;

namespace {

constexpr uint64_t kText = 0xffffff8000200000ULL;
constexpr uint64_t kTextEnd = kText + 0x200000;  // the unmapped hole starts here
const std::string kGreeting = "Greetings from LLDB...";

Bytes encode_ok(const wire::Packet& p) {
  auto b = wire::encode(p);
  REQUIRE(b);
  return *b;
}

Bytes req(Command c, uint8_t seq, wire::Body body = wire::Empty{}, uint32_t key = 0) {
  return encode_ok(wire::make_request(c, seq, key, std::move(body)));
}

Bytes hex_bytes(const std::string& text) {
  auto b = from_hex_string(text);
  REQUIRE(b);
  return *b;
}

Bytes demo_text(uint64_t address, size_t n) {
  static const macho::CoreFile core = [] {
    auto c = macho::read_core_file(KDP_DEMO_CORE);
    REQUIRE(c);
    return *c;
  }();
  const auto& text = core.segments.at(0);
  REQUIRE(text.vmaddr == kText);
  auto begin = text.data.begin() + static_cast<ptrdiff_t>(address - kText);
  return Bytes(begin, begin + static_cast<ptrdiff_t>(n));
}

// One debugger socket talking to one simulator.
struct Debugger {
  explicit Debugger(const SimProcess& sim) : target(sim.endpoint()) {}
  Bytes ask(const Bytes& request) {
    socket.send(request, target);
    auto reply = socket.receive();
    REQUIRE_MESSAGE(reply, "no reply to " << wire::describe_datagram(request));
    CHECK(reply->peer == target);  // replies come from the kernel's port
    return reply->bytes;
  }
  bool ignored(const Bytes& request) {
    socket.send(request, target);
    return socket.silent();
  }
  void connect(uint16_t exc_port = 0) {
    auto ports = wire::ConnectRequest{socket.port(), exc_port ? exc_port : socket.port(), kGreeting};
    REQUIRE(ask(req(Command::kConnect, 0, ports)) == hex_bytes("80000c000000000000000000"));
  }
  // A running kernel does not answer: retry CONNECT until it has stopped again (bounded).
  bool reconnect_when_stopped() {
    Bytes connect = req(Command::kConnect, 0, wire::ConnectRequest{socket.port(), socket.port(), kGreeting});
    for (int attempt = 0; attempt < 25; ++attempt) {
      socket.send(connect, target);
      if (auto reply = socket.receive(std::chrono::milliseconds(200))) return reply->bytes == hex_bytes("80000c000000000000000000");
    }
    return false;
  }
  uint32_t error_of(const Bytes& reply) {
    auto p = wire::decode(reply);
    REQUIRE(p);
    auto* e = std::get_if<wire::ErrorReply>(&p->body);
    REQUIRE(e != nullptr);
    return e->error;
  }
  Endpoint target;
  UdpClient socket;
};

}  // namespace

TEST_CASE("the LLDB handshake and READMEM64 are answered exactly as the spec describes, with replay and drops") {
  SimProcess sim;
  Debugger lldb(sim);
  // While waiting, only CONNECT/REATTACH with seq 0 count.
  CHECK(lldb.ignored(req(Command::kConnect, 1, wire::ConnectRequest{lldb.socket.port(), lldb.socket.port(), kGreeting})));
  CHECK(lldb.ignored(req(Command::kHostInfo, 0)));
  lldb.connect();
  // VERSION: 12, KDP_FEATURE_BP; the pads are leftovers of the CONNECT greeting ("tings fr").
  Bytes version_reply = lldb.ask(req(Command::kVersion, 1));
  CHECK(version_reply == hex_bytes("8301180000000000" "0c000000" "01000000" "74696e67" "73206672"));
  CHECK(lldb.ask(req(Command::kVersion, 1)) == version_reply);  // E-1: replayed
  CHECK(lldb.ask(req(Command::kHostInfo, 2)) == hex_bytes("8202140000000000030000000700000104000000"));
  Bytes kernel_version = lldb.ask(req(Command::kKernelVersion, 3));
  std::string version(kernel_version.begin() + 8, kernel_version.end() - 1);
  CHECK(kernel_version[0] == 0x98);
  CHECK(kernel_version.back() == 0);
  CHECK(version.rfind("Darwin Kernel Version 11.3.0: ", 0) == 0);
  CHECK(version.find("root:xnu-1699.24.23~1/RELEASE_X86_64; UUID=") != std::string::npos);
  Bytes read = lldb.ask(req(Command::kReadMem64, 4, wire::MemReadRequest{kText, 512}));
  Bytes expected = hex_bytes("94040c020000000000000000");
  Bytes text = demo_text(kText, 512);
  expected.insert(expected.end(), text.begin(), text.end());
  CHECK(read == expected);
  // E-1: the cached reply again, byte for byte.
  CHECK(lldb.ask(req(Command::kReadMem64, 4, wire::MemReadRequest{kText, 512})) == read);
  // Silent drops: out of sequence, LOAD, IMAGEPATH, EXCEPTION as a request, unknown code 0x25.
  CHECK(lldb.ignored(req(Command::kHostInfo, 7)));
  CHECK(lldb.ignored(req(Command::kHostInfo, 2)));
  CHECK(lldb.ignored(req(Command::kLoad, 5, wire::LoadRequest{"/mach_kernel"})));
  CHECK(lldb.ignored(req(Command::kImagePath, 5)));
  CHECK(lldb.ignored(req(Command::kException, 5, wire::ExceptionNotification{{{0, 6, 3, 0}}})));
  CHECK(lldb.ignored(hex_bytes("2505080000000000")));
  // None of them advanced E.
  CHECK(lldb.ask(req(Command::kMaxBytes, 5)) == hex_bytes("84050c0000000000" "00040000"));
  std::string stats = sim.stop();
  CHECK(stat_value(stats, "replayed_replies") == 2);
  CHECK(stat_value(stats, "replies") == 6);
  CHECK(stat_value(stats, "unknown") == 4);
  CHECK(stat_value(stats, "out_of_sequence") == 2);
  CHECK(stat_value(stats, "dropped_not_connected") == 2);
}

TEST_CASE("a second debugger's CONNECT gets KDPERR_ALREADY_CONNECTED without disturbing the session") {
  SimProcess sim;
  Debugger first(sim), second(sim);
  first.connect();
  Bytes version = first.ask(req(Command::kVersion, 1));
  Bytes refused = second.ask(req(Command::kConnect, 0, wire::ConnectRequest{second.socket.port(), second.socket.port(), ""}));
  CHECK(refused == hex_bytes("80000c000000000001000000"));
  CHECK(first.ask(req(Command::kVersion, 1)) == version);  // cache and E untouched
  CHECK(first.ask(req(Command::kHostInfo, 2)).size() == 20);
  CHECK(stat_value(sim.stop(), "already_connected") == 1);
}

TEST_CASE("REATTACH drops the session, answers its own port, removes breakpoints and keeps the kernel stopped") {
  SimProcess sim;
  Debugger old_session(sim), lldb(sim);
  old_session.connect();
  uint64_t at = kText + 0x1000;
  REQUIRE(old_session.error_of(old_session.ask(req(Command::kBreakpointSet64, 1, wire::BreakpointRequest{at}))) == 0);
  CHECK(lldb.ask(req(Command::kReattach, 9, wire::ReattachRequest{lldb.socket.port()})) == hex_bytes("9209080000000000"));
  CHECK(old_session.ignored(req(Command::kHostInfo, 2)));
  CHECK(lldb.ignored(req(Command::kHostInfo, 1)));  // waiting again: only CONNECT seq 0
  lldb.connect();  // answered, so the kernel did not resume
  Bytes byte = lldb.ask(req(Command::kReadMem64, 1, wire::MemReadRequest{at, 1}));
  CHECK(Bytes(byte.begin() + 12, byte.end()) == demo_text(at, 1));
}

TEST_CASE("READMEM64 above 1024 bytes is KDPERR_BAD_NBYTES; reads stop short at the unmapped hole") {
  SimProcess sim;
  Debugger lldb(sim);
  lldb.connect();
  CHECK(lldb.ask(req(Command::kReadMem64, 1, wire::MemReadRequest{kText, 1025})) == hex_bytes("94010c000000000002000000"));
  Bytes partial = lldb.ask(req(Command::kReadMem64, 2, wire::MemReadRequest{kTextEnd - 256, 1024}));
  Bytes expected = hex_bytes("94020c010000000000000000");  // len 12 + 256, error 0 (xnu-1699)
  Bytes text = demo_text(kTextEnd - 256, 256);
  expected.insert(expected.end(), text.begin(), text.end());
  CHECK(partial == expected);
  CHECK(lldb.ask(req(Command::kReadMem64, 3, wire::MemReadRequest{kTextEnd, 16})) == hex_bytes("94030c000000000000000000"));
}

TEST_CASE("--bad-access gives xnu-2422 semantics: error 4 on a short read") {
  SimProcess sim({"--bad-access"});
  Debugger lldb(sim);
  lldb.connect();
  Bytes partial = lldb.ask(req(Command::kReadMem64, 1, wire::MemReadRequest{kTextEnd - 4, 8}));
  CHECK(Bytes(partial.begin(), partial.begin() + 12) == hex_bytes("9401100000000000" "04000000"));
}

TEST_CASE("kernel breakpoints over the wire: 0xCC in memory, restored, errors 100/101/102") {
  SimProcess sim({"--stop-after", "50"});
  Debugger lldb(sim);
  lldb.connect();
  uint8_t seq = 1;
  auto bp = [&](Command c, uint64_t at) { return lldb.error_of(lldb.ask(req(c, seq++, wire::BreakpointRequest{at}))); };
  auto read_byte = [&](uint64_t at) {
    Bytes r = lldb.ask(req(Command::kReadMem64, seq++, wire::MemReadRequest{at, 1}));
    REQUIRE(r.size() == 13);
    return r[12];
  };
  uint64_t at = kText + 0x2000;
  CHECK(bp(Command::kBreakpointSet64, at) == 0);
  CHECK(read_byte(at) == 0xcc);
  CHECK(bp(Command::kBreakpointSet64, at) == 102);
  CHECK(bp(Command::kBreakpointRemove64, at) == 0);
  CHECK(read_byte(at) == demo_text(at, 1)[0]);
  CHECK(bp(Command::kBreakpointRemove64, at) == 101);
  // Function entries (the text's 0xCC padding bytes would be "already set").
  auto entry = [](uint64_t i) { return kText + 0x1000 + 64 * i; };
  for (uint64_t i = 0; i < 100; ++i) REQUIRE(bp(Command::kBreakpointSet64, entry(i)) == 0);
  CHECK(bp(Command::kBreakpointSet64, entry(100)) == 100);
  CHECK(read_byte(entry(7)) == 0xcc);
  // DISCONNECT restores every byte and resumes; --stop-after stops the kernel again 50 ms later.
  Bytes disconnected = lldb.ask(req(Command::kDisconnect, seq));
  CHECK(disconnected == Bytes{0x81, seq, 0x08, 0, 0, 0, 0, 0});
  Debugger next(sim);
  REQUIRE(next.reconnect_when_stopped());
  Bytes restored = next.ask(req(Command::kReadMem64, 1, wire::MemReadRequest{entry(0), 1024}));
  CHECK(Bytes(restored.begin() + 12, restored.end()) == demo_text(entry(0), 1024));
}

namespace {

constexpr uint64_t kA = kText + 0x1000, kB = kText + 0x1001, kC = kText + 0x1004;  // push rbp; mov; push
const std::vector<std::string> kScript{"--script", "0xffffff8000201000,0xffffff8000201001,0xffffff8000201004"};

Bytes notification(uint8_t seq) {
  return hex_bytes("0d" + std::string(seq == 0 ? "00" : "01") + "1c00000000000100000000000000060000000300000000000000");
}

uint64_t rip_of(Debugger& d, uint8_t seq) {
  Bytes regs = d.ask(req(Command::kReadRegs, seq, wire::ReadRegsRequest{1, 4}));
  REQUIRE(regs.size() == 12 + 168);
  ByteReader r(regs);
  REQUIRE(r.seek(12 + 128, "rip"));
  return *r.u64("rip");
}

}  // namespace

TEST_CASE("RESUMECPUS, a breakpoint reached by the script, KDP_EXCEPTION to the exception port, ack") {
  SimProcess sim(kScript);
  Debugger gdb(sim);
  UdpClient exceptions;  // gdb-style: a separate exception socket
  gdb.connect(exceptions.port());
  REQUIRE(gdb.error_of(gdb.ask(req(Command::kBreakpointSet64, 1, wire::BreakpointRequest{kC}))) == 0);
  CHECK(gdb.ask(req(Command::kResumeCpus, 2, wire::ResumeRequest{0xffffffff})) == hex_bytes("8c02080000000000"));
  auto note = exceptions.receive();
  REQUIRE(note);
  CHECK(note->bytes == notification(0));
  CHECK(note->peer == sim.endpoint());
  exceptions.send(hex_bytes("8d00080000000000"), sim.endpoint());  // the ack
  CHECK(rip_of(gdb, 3) == kC + 1);  // E continued from before the stop
  CHECK(gdb.error_of(gdb.ask(req(Command::kBreakpointRemove64, 4, wire::BreakpointRequest{kC}))) == 0);
  std::string stats = sim.stop();
  CHECK(stat_value(stats, "exceptions_sent") == 1);
  CHECK(stat_value(stats, "acks") == 1);
}

TEST_CASE("an unacked notification is retransmitted; requests meanwhile are discarded; LLDB's len-28 ack works") {
  SimProcess sim(kScript);
  Debugger lldb(sim);
  lldb.connect();
  REQUIRE(lldb.error_of(lldb.ask(req(Command::kBreakpointSet64, 1, wire::BreakpointRequest{kB}))) == 0);
  REQUIRE(lldb.ask(req(Command::kResumeCpus, 2, wire::ResumeRequest{3})).size() == 8);
  auto first = lldb.socket.receive();
  REQUIRE(first);
  CHECK(first->bytes == notification(0));
  auto again = lldb.socket.receive();  // ~152 ms later, identical
  REQUIRE(again);
  CHECK(again->bytes == first->bytes);
  lldb.socket.send(req(Command::kHostInfo, 3), sim.endpoint());  // discarded while awaiting the ack
  auto third = lldb.socket.receive();
  REQUIRE(third);
  CHECK(third->bytes == first->bytes);
  lldb.socket.send(hex_bytes("8d001c0000000000"), sim.endpoint());  // LLDB's ack: len 28 in 8 bytes
  CHECK(rip_of(lldb, 3) == kB + 1);
  std::string stats = sim.stop();
  CHECK(stat_value(stats, "exception_retransmits") >= 2);
  CHECK(stat_value(stats, "dropped_awaiting_ack") >= 1);
  CHECK(stat_value(stats, "acks") == 1);
}

TEST_CASE("single-step and --stop-after: both stop with EXC_BREAKPOINT") {
  SimProcess sim([] {
    auto args = kScript;
    args.insert(args.end(), {"--stop-after", "100"});
    return args;
  }());
  Debugger lldb(sim);
  lldb.connect();
  wire::X86ThreadState64 regs;
  {
    Bytes r = lldb.ask(req(Command::kReadRegs, 1, wire::ReadRegsRequest{1, 4}));
    auto decoded = wire::X86ThreadState64::decode(ByteView(r).subspan(12));
    REQUIRE(decoded);
    regs = *decoded;
  }
  regs.rip() = kA;
  regs.rflags() |= wire::X86ThreadState64::kTrapFlag;
  REQUIRE(lldb.error_of(lldb.ask(req(Command::kWriteRegs, 2, wire::WriteRegsRequest{0, 4, regs.encode()}))) == 0);
  REQUIRE(lldb.ask(req(Command::kResumeCpus, 3, wire::ResumeRequest{3})).size() == 8);
  auto step = lldb.socket.receive();
  REQUIRE(step);
  CHECK(step->bytes == notification(0));
  lldb.socket.send(hex_bytes("8d00080000000000"), sim.endpoint());
  CHECK(rip_of(lldb, 4) == kB);
  regs.rip() = kB;
  regs.rflags() &= ~wire::X86ThreadState64::kTrapFlag;
  REQUIRE(lldb.error_of(lldb.ask(req(Command::kWriteRegs, 5, wire::WriteRegsRequest{0, 4, regs.encode()}))) == 0);
  REQUIRE(lldb.ask(req(Command::kResumeCpus, 6, wire::ResumeRequest{3})).size() == 8);
  auto stopped = lldb.socket.receive();  // --stop-after 100 ms
  REQUIRE(stopped);
  CHECK(stopped->bytes == notification(1));
}

TEST_CASE("DISCONNECT resumes the kernel: it no longer answers; HOSTREBOOT restarts it deaf, then waiting") {
  SimProcess sim;
  Debugger lldb(sim);
  lldb.connect();
  CHECK(lldb.ask(req(Command::kDisconnect, 1)) == hex_bytes("8101080000000000"));
  CHECK(lldb.ignored(req(Command::kConnect, 0, wire::ConnectRequest{lldb.socket.port(), lldb.socket.port(), ""})));
  std::string stats = sim.stop();
  CHECK(stat_value(stats, "dropped_while_running") == 1);

  SimProcess rebooting;
  Debugger d(rebooting);
  d.connect();
  CHECK(d.ignored(req(Command::kHostReboot, 1)));
  CHECK(d.ignored(req(Command::kHostInfo, 2)));  // the session is gone, the machine restarting
  CHECK(d.reconnect_when_stopped());              // after --boot-time (2 s by default)
  const std::string after = rebooting.stop();
  CHECK(stat_value(after, "reboots") == 1);
  CHECK(stat_value(after, "dropped_while_booting") >= 1);
}

TEST_CASE("malformed datagrams never crash the simulator; they are counted in the summary") {
  SimProcess sim;
  Debugger lldb(sim);
  CHECK(lldb.ignored(hex_bytes("01")));
  lldb.connect();
  CHECK(lldb.ignored(hex_bytes("0201")));                          // shorter than a header
  CHECK(lldb.ignored(hex_bytes("02010c0000000000")));              // len 12 in 8 bytes
  CHECK(lldb.ignored(hex_bytes("14011400000000000000200080ff")));  // len 20 in 14 bytes
  Bytes big(1400, 0);
  big[0] = 0x02, big[1] = 0x01, big[2] = 0x08;                     // HOSTINFO with len 8
  CHECK(lldb.ignored(big));
  CHECK(lldb.ignored(Bytes(2000, 0x02)));                          // larger than any frame
  CHECK(lldb.ignored(Bytes(100, 0xff)));                           // reply bit: ignored, not malformed
  CHECK(lldb.ask(req(Command::kHostInfo, 1)).size() == 20);  // still serving, E unchanged
  std::string stats = sim.stop();
  CHECK(stat_value(stats, "malformed") == 6);
  CHECK(stat_value(stats, "ignored_replies") == 1);
  CHECK(stat_value(stats, "requests") == 2);
  CHECK(stat_value(stats, "replies") == 2);
}

TEST_CASE("fault injection: --loss 1 drops everything, --dup 1 delivers every datagram twice") {
  SimProcess lossy({"--loss", "1", "--seed", "5"});
  Debugger a(lossy);
  CHECK(a.ignored(req(Command::kConnect, 0, wire::ConnectRequest{a.socket.port(), a.socket.port(), ""})));
  std::string stats = lossy.stop();
  CHECK(stats.find("kdp-sim faults received: datagrams=1 lost=1") != std::string::npos);
  CHECK(stat_value(stats, "received") == 0);

  SimProcess doubling({"--dup", "1"});
  Debugger b(doubling);
  b.socket.send(req(Command::kConnect, 0, wire::ConnectRequest{b.socket.port(), b.socket.port(), ""}), doubling.endpoint());
  // The CONNECT arrives twice (the second copy is a duplicate CONNECT: NO_ERROR again) and every
  // reply is sent twice: four identical replies.
  for (int i = 0; i < 4; ++i) {
    auto reply = b.socket.receive();
    REQUIRE(reply);
    CHECK(reply->bytes == hex_bytes("80000c000000000000000000"));
  }
  CHECK(b.socket.silent());
}

TEST_CASE("HOSTINFO, VERSION and KERNELVERSION values come from the command line") {
  SimProcess sim({"--cpus-mask", "0xf", "--cpu-subtype", "8", "--version", "11", "--no-bp-feature",
                  "--kernel-version", "Darwin Kernel Version 10.8.0: sim"});
  Debugger lldb(sim);
  lldb.connect();
  CHECK(lldb.ask(req(Command::kHostInfo, 1)) == hex_bytes("82011400000000000f0000000700000108000000"));
  Bytes version = lldb.ask(req(Command::kVersion, 2));
  CHECK(Bytes(version.begin(), version.begin() + 16) == hex_bytes("83021800000000000b00000000000000"));
  Bytes expected = hex_bytes("98032a0000000000");
  std::string text = "Darwin Kernel Version 10.8.0: sim";
  expected.insert(expected.end(), text.begin(), text.end());
  expected.push_back(0);
  CHECK(lldb.ask(req(Command::kKernelVersion, 3)) == expected);
}
