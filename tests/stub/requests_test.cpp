// §3.3 request handlers: memory, breakpoints, registers, host information, I/O ports, MSRs.
#include "tests/stub/harness.h"

using namespace kdp;
using namespace kdp::stub;
using namespace kdp::stub::testing;

namespace {

// A connected harness whose next request has seq 1.
struct Connected : Harness {
  explicit Connected(TargetConfig config = {}) : Harness(std::move(config)) { connect(); }
  Packet ask(Command c, wire::Body body = wire::Empty{}) { return exchange(request(c, seq++, std::move(body))); }
  uint8_t seq = 1;
};

const wire::DataReply& data_of(const Packet& p) {
  const auto* d = std::get_if<wire::DataReply>(&p.body);
  REQUIRE(d != nullptr);
  return *d;
}

uint32_t error_of(const Packet& p) {
  const auto* e = std::get_if<wire::ErrorReply>(&p.body);
  REQUIRE(e != nullptr);
  return e->error;
}

}  // namespace

TEST_CASE("HOSTINFO, VERSION, MAXBYTES, KERNELVERSION and REGIONS report the configured target") {
  Connected h;
  CHECK(h.ask(Command::kHostInfo).body == wire::Body{wire::HostInfoReply{0x3, 0x01000007, 4}});
  auto version = std::get<wire::VersionReply>(h.ask(Command::kVersion).body);
  CHECK(version.version == 12);
  CHECK(version.feature == 1);
  CHECK(h.ask(Command::kMaxBytes).body == wire::Body{wire::MaxBytesReply{1024}});
  auto kv = std::get<wire::KernelVersionReply>(h.ask(Command::kKernelVersion).body).version;
  CHECK(kv == std::string(kDefaultKernelVersion));
  CHECK(kv.find("Darwin Kernel Version 11.3.0") == 0);
  CHECK(kv.substr(kv.find("; UUID=") + 7).size() == 36);
  CHECK(h.ask(Command::kRegions).body == wire::Body{wire::RegionsReply{{{0, 0xffffffff, 7}}}});

  TargetConfig custom;
  custom.cpus_mask = 0xf;
  custom.cpu_subtype = 8;
  custom.version = 11;
  custom.feature = 0;
  custom.kernel_version = std::string(300, 'k');  // xnu's buffer holds 255 characters
  Connected c(custom);
  CHECK(c.ask(Command::kHostInfo).body == wire::Body{wire::HostInfoReply{0xf, 0x01000007, 8}});
  auto v = std::get<wire::VersionReply>(c.ask(Command::kVersion).body);
  CHECK((v.version == 11 && v.feature == 0));
  CHECK(std::get<wire::KernelVersionReply>(c.ask(Command::kKernelVersion).body).version == std::string(255, 'k'));
}

TEST_CASE("VERSION's pads are leftover buffer bytes: after LLDB's CONNECT, part of its greeting") {
  Connected h;
  auto v = std::get<wire::VersionReply>(h.ask(Command::kVersion).body);
  CHECK(v.pad0 == 0x676e6974);  // "ting" at offset 16 of "........PPPPGreetings from LLDB..."
  CHECK(v.pad1 == 0x72662073);  // "s fr"
}

TEST_CASE("READMEM64: data, BAD_NBYTES above 1024, short reads stop at the first unmapped page") {
  Connected h;
  auto full = data_of(h.ask(Command::kReadMem64, wire::MemReadRequest{kText, 1024}));
  CHECK(full.error == 0);
  REQUIRE(full.data.size() == 1024);
  CHECK((full.data[0] == 0x10 && full.data[1] == 0x11 && full.data[0x7f] == 0x8f));
  auto too_big = h.ask(Command::kReadMem64, wire::MemReadRequest{kText, 1025});
  CHECK(data_of(too_big) == wire::DataReply{2, {}});
  auto short_read = data_of(h.ask(Command::kReadMem64, wire::MemReadRequest{kHole - 0x100, 1024}));
  CHECK(short_read.error == 0);  // xnu-1699: no error for a short read
  CHECK(short_read.data.size() == 0x100);
  CHECK(data_of(h.ask(Command::kReadMem64, wire::MemReadRequest{kHole, 16})).data.empty());
  auto wire_reply = h.send(request(Command::kReadMem64, h.seq++, wire::MemReadRequest{kHole - 4, 8}));
  REQUIRE(wire_reply.size() == 1);
  CHECK(wire_reply[0].bytes.size() == 12 + 4);  // len = 12 + bytes actually read
}

TEST_CASE("with bad_access_errors (xnu-2422+) a short transfer reports KDPERR_BAD_ACCESS") {
  TargetConfig config;
  config.bad_access_errors = true;
  Connected h(config);
  auto r = data_of(h.ask(Command::kReadMem64, wire::MemReadRequest{kHole - 2, 8}));
  CHECK(r.error == 4);
  CHECK(r.data.size() == 2);
  CHECK(error_of(h.ask(Command::kWriteMem64, wire::MemWriteRequest{kHole - 2, Bytes(8, 1)})) == 4);
  CHECK(error_of(h.ask(Command::kWriteMem64, wire::MemWriteRequest{kData, Bytes(8, 1)})) == 0);
}

TEST_CASE("READMEM and WRITEMEM (32-bit) reach low addresses; READPHYSMEM64 uses the identity map") {
  Connected h;
  CHECK(data_of(h.ask(Command::kReadMem, wire::MemReadRequest{kLow, 4})).data == bytes_of({0x11, 0x22, 0x33, 0x44}));
  CHECK(error_of(h.ask(Command::kWriteMem, wire::MemWriteRequest{kLow + 1, {0xaa}})) == 0);
  CHECK(h.engine.memory().read(kLow, 3) == bytes_of({0x11, 0xaa, 0x33}));
  auto phys = data_of(h.ask(Command::kReadPhysMem64, wire::PhysReadRequest{0x200000, 4, 0xfffe}));
  CHECK(phys.data == bytes_of({0x10, 0x11, 0x12, 0x13}));
  CHECK(data_of(h.ask(Command::kReadPhysMem64, wire::PhysReadRequest{~uint64_t{0}, 4, 0xfffe})).data.empty());
  CHECK(error_of(h.ask(Command::kWritePhysMem64, wire::PhysWriteRequest{0x200002, 0xfffe, {0x99}})) == 0);
  CHECK(h.engine.memory().byte_at(kText + 2) == 0x99);
}

TEST_CASE("WRITEMEM64 writes memory, stops at unmapped pages and refuses more than 1024 bytes") {
  Connected h;
  CHECK(error_of(h.ask(Command::kWriteMem64, wire::MemWriteRequest{kData + 0xffe, {1, 2, 3, 4}})) == 0);
  CHECK(h.engine.memory().read(kData + 0xffe, 4) == bytes_of({1, 2}));
  CHECK(error_of(h.ask(Command::kWriteMem64, wire::MemWriteRequest{kData, Bytes(1025, 7)})) == 2);
  CHECK(h.engine.memory().byte_at(kData) == 0xd0);
}

TEST_CASE("breakpoints: 0xCC in memory, restored on remove, errors 100/101/102") {
  Connected h;
  uint64_t at = kText + 0x40;
  CHECK(error_of(h.ask(Command::kBreakpointSet64, wire::BreakpointRequest{at})) == 0);
  CHECK(data_of(h.ask(Command::kReadMem64, wire::MemReadRequest{at, 1})).data == bytes_of({0xcc}));
  CHECK(error_of(h.ask(Command::kBreakpointSet64, wire::BreakpointRequest{at})) == 102);
  CHECK(error_of(h.ask(Command::kBreakpointRemove64, wire::BreakpointRequest{at})) == 0);
  CHECK(h.engine.memory().byte_at(at) == 0x50);
  CHECK(error_of(h.ask(Command::kBreakpointRemove64, wire::BreakpointRequest{at})) == 101);
  // A byte that already is int3 counts as "already set".
  REQUIRE(error_of(h.ask(Command::kWriteMem64, wire::MemWriteRequest{kData + 8, {0xcc}})) == 0);
  CHECK(error_of(h.ask(Command::kBreakpointSet64, wire::BreakpointRequest{kData + 8})) == 102);
  // The 32-bit variants address low memory.
  CHECK(error_of(h.ask(Command::kBreakpointSet, wire::BreakpointRequest{kLow})) == 0);
  CHECK(h.engine.memory().byte_at(kLow) == 0xcc);
  CHECK(error_of(h.ask(Command::kBreakpointRemove, wire::BreakpointRequest{kLow})) == 0);
  CHECK(h.engine.memory().byte_at(kLow) == 0x11);
}

TEST_CASE("the breakpoint table holds 100 entries; an unmapped address still 'succeeds'") {
  Connected h;
  for (uint64_t i = 0; i < 99; ++i)
    REQUIRE(error_of(h.ask(Command::kBreakpointSet64, wire::BreakpointRequest{kText + i})) == 0);
  CHECK(error_of(h.ask(Command::kBreakpointSet64, wire::BreakpointRequest{kHole + 5})) == 0);
  CHECK(h.engine.breakpoints().size() == 100);
  CHECK(error_of(h.ask(Command::kBreakpointSet64, wire::BreakpointRequest{kText + 0x200})) == 100);
  CHECK(error_of(h.ask(Command::kBreakpointRemove64, wire::BreakpointRequest{kHole + 5})) == 0);
  CHECK(error_of(h.ask(Command::kBreakpointSet64, wire::BreakpointRequest{kText + 0x200})) == 0);
}

TEST_CASE("READREGS: flavor 4 is the 168-byte state, flavor 5 524 zero bytes, others error 3 with len 12") {
  Connected h;
  CHECK(data_of(h.ask(Command::kReadRegs, wire::ReadRegsRequest{1, 4})).data == test_registers().encode());
  CHECK(data_of(h.ask(Command::kReadRegs, wire::ReadRegsRequest{0, 5})).data == Bytes(524, 0));
  auto bad = h.send(request(Command::kReadRegs, h.seq++, wire::ReadRegsRequest{0, 6}));
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].bytes.size() == 12);
  CHECK(data_of(decode_ok(bad[0].bytes)).error == 3);
}

TEST_CASE("WRITEREGS flavor 4 updates everything but cs; flavor 5 is accepted and ignored") {
  Connected h;
  wire::X86ThreadState64 regs;
  for (size_t i = 0; i < regs.regs.size(); ++i) regs.regs[i] = 0xabcdef0000000000ULL + i;
  CHECK(error_of(h.ask(Command::kWriteRegs, wire::WriteRegsRequest{0, 4, regs.encode()})) == 0);
  wire::X86ThreadState64 now = h.engine.registers();
  CHECK(now.rip() == regs.rip());
  CHECK(now.regs[0] == regs.regs[0]);
  CHECK(now.regs[18] == 0x8);                        // cs kept
  CHECK(now.regs[19] == (regs.regs[19] & 0xffffffff));  // fs, gs: 32-bit selectors
  CHECK(now.regs[20] == (regs.regs[20] & 0xffffffff));
  CHECK(error_of(h.ask(Command::kWriteRegs, wire::WriteRegsRequest{0, 5, Bytes(524, 0xff)})) == 0);
  CHECK(h.engine.registers() == now);
  CHECK(error_of(h.ask(Command::kWriteRegs, wire::WriteRegsRequest{0, 1, Bytes(64, 0)})) == 3);
}

TEST_CASE("SUSPEND replies; I/O ports and MSRs are small maps") {
  Connected h;
  CHECK(h.ask(Command::kSuspend).body == wire::Body{wire::Empty{}});
  CHECK(data_of(h.ask(Command::kReadIoPort, wire::IoPortReadRequest{0xfffe, 0x80, 2})).data == bytes_of({0xff, 0xff}));
  CHECK(error_of(h.ask(Command::kWriteIoPort, wire::IoPortWriteRequest{0xfffe, 0x80, {0x12, 0x34}})) == 0);
  CHECK(data_of(h.ask(Command::kReadIoPort, wire::IoPortReadRequest{0xfffe, 0x80, 4})).data ==
        bytes_of({0x12, 0x34, 0xff, 0xff}));
  CHECK(data_of(h.ask(Command::kReadIoPort, wire::IoPortReadRequest{0xfffe, 0x80, 3})) == wire::DataReply{3, {}});
  CHECK(data_of(h.ask(Command::kReadIoPort, wire::IoPortReadRequest{0xfffe, 0x80, 2000})) == wire::DataReply{2, {}});
  CHECK(error_of(h.ask(Command::kWriteIoPort, wire::IoPortWriteRequest{0xfffe, 0x80, {1, 2, 3}})) == 3);
  auto efer = std::get<wire::MsrReadReply>(h.ask(Command::kReadMsr64, wire::MsrReadRequest{0xc0000080, 0xfffe}).body);
  CHECK(efer == wire::MsrReadReply{0, 0xd01});
  CHECK(error_of(h.ask(Command::kWriteMsr64, wire::MsrWriteRequest{0x1234, 0xfffe, 42})) == 0);
  auto written = std::get<wire::MsrReadReply>(h.ask(Command::kReadMsr64, wire::MsrReadRequest{0x1234, 0xfffe}).body);
  CHECK(written.value == 42);
  auto unknown = std::get<wire::MsrReadReply>(h.ask(Command::kReadMsr64, wire::MsrReadRequest{0x4321, 0xfffe}).body);
  CHECK(unknown == wire::MsrReadReply{0, 0});
}
