// Byte-exact vectors for every packet that exists: the request and reply of each code 0x00-0x1F,
// the exception notification and its ack, termination and its ack. Bytes are written by hand from
// spec §3.3 (and copied from §10 where it gives them); each vector must encode to exactly these
// bytes and decode back to an equal packet.
#include <doctest/doctest.h>

#include <vector>

#include "kdp/wire/codec.h"
#include "kdp/wire/x86_state.h"
#include "tests/wire/wire_test_util.h"

using namespace kdp;
using namespace kdp::wire;
using namespace kdp::wire::test;

namespace {

struct Vector {
  const char* name;
  Packet packet;  // header.len left 0: encode fills it, decode reports the datagram size
  Bytes bytes;
};

// 168-byte x86_THREAD_STATE64: rax=1, rip=0xffffff80002a1234, rflags=0x246, cs=8 (spec §6.2).
Bytes thread_state_bytes() {
  return cat({hx("01 00 00 00 00 00 00 00"), zeros(120), hx("34 12 2a 00 80 ff ff ff"),
              hx("46 02 00 00 00 00 00 00"), hx("08 00 00 00 00 00 00 00"), zeros(16)});
}

// KDP_DUMPINFO body: name[50] destip[16] routerip[16] port type.
Bytes dumpinfo_body(std::string_view name, std::string_view destip, std::string_view port_type) {
  return cat({ascii(name), zeros(50 - name.size()), ascii(destip), zeros(16 - destip.size()),
              zeros(16), hx(port_type)});
}

const char* const kLldbGreeting = "Greetings from LLDB...";
const char* const kKernelVersion =
    "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; "
    "root:xnu-1699.24.23~1/RELEASE_X86_64; UUID=7B6546C7-70E8-3ED8-A6C3-C927E4D3D0D6";

std::vector<Vector> session_vectors() {
  return {
      {"LLDB REATTACH (§10)", req(Command::kReattach, 0, ReattachRequest{50000}),
       hx("12 00 0a 00 00 00 00 00 c3 50")},
      {"REATTACH reply (§10)", rep(Command::kReattach, 0), hx("92 00 08 00 00 00 00 00")},
      {"LLDB CONNECT (§10)", req(Command::kConnect, 0, ConnectRequest{50000, 50000, kLldbGreeting}),
       cat({hx("00 00 23 00 00 00 00 00 c3 50 c3 50"), ascii(kLldbGreeting), hx("00")})},
      {"gdb CONNECT, two ports, empty greeting",
       req(Command::kConnect, 0, ConnectRequest{0x1234, 0x1235, ""}),
       hx("00 00 0d 00 00 00 00 00 12 34 12 35 00")},
      {"CONNECT reply (§10)", rep(Command::kConnect, 0, ErrorReply{0}),
       hx("80 00 0c 00 00 00 00 00 00 00 00 00")},
      {"CONNECT reply ALREADY_CONNECTED, key echoed",
       make_reply(Command::kConnect, 5, 0x11223344, ErrorReply{1}),
       hx("80 05 0c 00 44 33 22 11 01 00 00 00")},
      {"DISCONNECT (§10)", req(Command::kDisconnect, 7), hx("01 07 08 00 00 00 00 00")},
      {"DISCONNECT reply (§10)", rep(Command::kDisconnect, 7), hx("81 07 08 00 00 00 00 00")},
      {"HOSTINFO (§10)", req(Command::kHostInfo, 2), hx("02 02 08 00 00 00 00 00")},
      {"HOSTINFO reply (§10)", rep(Command::kHostInfo, 2, HostInfoReply{0xf, 0x01000007, 4}),
       hx("82 02 14 00 00 00 00 00 0f 00 00 00 07 00 00 01 04 00 00 00")},
      {"VERSION (§10)", req(Command::kVersion, 1), hx("03 01 08 00 00 00 00 00")},
      {"VERSION reply with leftover pad bytes (§10)",
       rep(Command::kVersion, 1, VersionReply{12, 1, 0xefbeadde, 0x04030201}),
       hx("83 01 18 00 00 00 00 00 0c 00 00 00 01 00 00 00 de ad be ef 01 02 03 04")},
      {"MAXBYTES", req(Command::kMaxBytes, 4), hx("04 04 08 00 00 00 00 00")},
      {"MAXBYTES reply", rep(Command::kMaxBytes, 4, MaxBytesReply{1024}),
       hx("84 04 0c 00 00 00 00 00 00 04 00 00")},
      {"SUSPEND", req(Command::kSuspend, 0x0d), hx("0b 0d 08 00 00 00 00 00")},
      {"SUSPEND reply", rep(Command::kSuspend, 0x0d), hx("8b 0d 08 00 00 00 00 00")},
      {"RESUMECPUS (§10)", req(Command::kResumeCpus, 0x0e, ResumeRequest{0xf}),
       hx("0c 0e 0c 00 00 00 00 00 0f 00 00 00")},
      {"RESUMECPUS reply (§10)", rep(Command::kResumeCpus, 0x0e), hx("8c 0e 08 00 00 00 00 00")},
      {"HOSTREBOOT (no reply exists)", req(Command::kHostReboot, 0x12),
       hx("13 12 08 00 00 00 00 00")},
      {"KERNELVERSION", req(Command::kKernelVersion, 3), hx("18 03 08 00 00 00 00 00")},
      {"KERNELVERSION reply", rep(Command::kKernelVersion, 3, KernelVersionReply{kKernelVersion}),
       cat({hx("98 03 94 00 00 00 00 00"), ascii(kKernelVersion), hx("00")})},
      {"LOAD", req(Command::kLoad, 0x0b, LoadRequest{"/mach"}),
       hx("09 0b 0e 00 00 00 00 00 2f 6d 61 63 68 00")},
      {"LOAD reply", rep(Command::kLoad, 0x0b, ErrorReply{0}),
       hx("89 0b 0c 00 00 00 00 00 00 00 00 00")},
      {"IMAGEPATH", req(Command::kImagePath, 0x0c), hx("0a 0c 08 00 00 00 00 00")},
      {"IMAGEPATH reply", rep(Command::kImagePath, 0x0c, ImagePathReply{"/mach_kernel"}),
       hx("8a 0c 15 00 00 00 00 00 2f 6d 61 63 68 5f 6b 65 72 6e 65 6c 00")},
      {"REGIONS", req(Command::kRegions, 0x11), hx("11 11 08 00 00 00 00 00")},
      {"REGIONS reply, xnu's single region",
       rep(Command::kRegions, 0x11, RegionsReply{{Region{0, 0xffffffff, 7}}}),
       hx("91 11 18 00 00 00 00 00 01 00 00 00 00 00 00 00 ff ff ff ff 07 00 00 00")},
      {"REGIONS reply, none", rep(Command::kRegions, 0x11, RegionsReply{}),
       hx("91 11 0c 00 00 00 00 00 00 00 00 00")},
  };
}

std::vector<Vector> memory_vectors() {
  return {
      {"READMEM", req(Command::kReadMem, 5, MemReadRequest{0x1000, 512}),
       hx("05 05 10 00 00 00 00 00 00 10 00 00 00 02 00 00")},
      {"READMEM reply", rep(Command::kReadMem, 5, DataReply{0, hx("de ad be ef")}),
       hx("85 05 10 00 00 00 00 00 00 00 00 00 de ad be ef")},
      {"WRITEMEM", req(Command::kWriteMem, 6, MemWriteRequest{0x2000, hx("aa bb cc")}),
       hx("06 06 13 00 00 00 00 00 00 20 00 00 03 00 00 00 aa bb cc")},
      {"WRITEMEM reply BAD_NBYTES", rep(Command::kWriteMem, 6, ErrorReply{2}),
       hx("86 06 0c 00 00 00 00 00 02 00 00 00")},
      {"READMEM64 512 @kernel base (§10)",
       req(Command::kReadMem64, 3, MemReadRequest{0xffffff8000200000, 512}),
       hx("14 03 14 00 00 00 00 00 00 00 20 00 80 ff ff ff 00 02 00 00")},
      {"READMEM64 reply, 512 bytes (§10)", rep(Command::kReadMem64, 3, DataReply{0, ramp(512)}),
       cat({hx("94 03 0c 02 00 00 00 00 00 00 00 00"), ramp(512)})},
      {"READMEM64 reply, empty read (xnu-1699)", rep(Command::kReadMem64, 4, DataReply{0, {}}),
       hx("94 04 0c 00 00 00 00 00 00 00 00 00")},
      {"WRITEMEM64 int3",
       req(Command::kWriteMem64, 0x13, MemWriteRequest{0xffffff8000201000, hx("cc")}),
       hx("15 13 15 00 00 00 00 00 00 10 20 00 80 ff ff ff 01 00 00 00 cc")},
      {"WRITEMEM64 reply BAD_ACCESS", rep(Command::kWriteMem64, 0x13, ErrorReply{4}),
       hx("95 13 0c 00 00 00 00 00 04 00 00 00")},
      {"READPHYSMEM64", req(Command::kReadPhysMem64, 0x16, PhysReadRequest{0x100000, 8, 0xfffe}),
       hx("19 16 16 00 00 00 00 00 00 00 10 00 00 00 00 00 08 00 00 00 fe ff")},
      {"READPHYSMEM64 reply", rep(Command::kReadPhysMem64, 0x16, DataReply{0, hx("01 02 03 04 05 06 07 08")}),
       hx("99 16 14 00 00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08")},
      {"WRITEPHYSMEM64",
       req(Command::kWritePhysMem64, 0x17, PhysWriteRequest{0x100000, 1, hx("90 90")}),
       hx("1a 17 18 00 00 00 00 00 00 00 10 00 00 00 00 00 02 00 00 00 01 00 90 90")},
      {"WRITEPHYSMEM64 reply", rep(Command::kWritePhysMem64, 0x17, ErrorReply{0}),
       hx("9a 17 0c 00 00 00 00 00 00 00 00 00")},
  };
}

std::vector<Vector> register_and_breakpoint_vectors() {
  return {
      {"READREGS flavor 4, LLDB cpu 1 (§10)", req(Command::kReadRegs, 8, ReadRegsRequest{1, 4}),
       hx("07 08 10 00 00 00 00 00 01 00 00 00 04 00 00 00")},
      {"READREGS reply, 168-byte state (§10)",
       rep(Command::kReadRegs, 8, DataReply{0, thread_state_bytes()}),
       cat({hx("87 08 b4 00 00 00 00 00 00 00 00 00"), thread_state_bytes()})},
      {"READREGS reply BADFLAVOR", rep(Command::kReadRegs, 9, DataReply{3, {}}),
       hx("87 09 0c 00 00 00 00 00 03 00 00 00")},
      {"WRITEREGS flavor 4",
       req(Command::kWriteRegs, 0x0a, WriteRegsRequest{0, 4, thread_state_bytes()}),
       cat({hx("08 0a b8 00 00 00 00 00 00 00 00 00 04 00 00 00"), thread_state_bytes()})},
      {"WRITEREGS reply", rep(Command::kWriteRegs, 0x0a, ErrorReply{0}),
       hx("88 0a 0c 00 00 00 00 00 00 00 00 00")},
      {"BREAKPOINT_SET", req(Command::kBreakpointSet, 0x0f, BreakpointRequest{0x201000}),
       hx("0f 0f 0c 00 00 00 00 00 00 10 20 00")},
      {"BREAKPOINT_SET reply MAX_BREAKPOINTS", rep(Command::kBreakpointSet, 0x0f, ErrorReply{100}),
       hx("8f 0f 0c 00 00 00 00 00 64 00 00 00")},
      {"BREAKPOINT_REMOVE", req(Command::kBreakpointRemove, 0x10, BreakpointRequest{0x201000}),
       hx("10 10 0c 00 00 00 00 00 00 10 20 00")},
      {"BREAKPOINT_REMOVE reply NOT_FOUND", rep(Command::kBreakpointRemove, 0x10, ErrorReply{101}),
       hx("90 10 0c 00 00 00 00 00 65 00 00 00")},
      {"BREAKPOINT64_SET",
       req(Command::kBreakpointSet64, 0x14, BreakpointRequest{0xffffff8000201000}),
       hx("16 14 10 00 00 00 00 00 00 10 20 00 80 ff ff ff")},
      {"BREAKPOINT64_SET reply ALREADY_SET", rep(Command::kBreakpointSet64, 0x14, ErrorReply{102}),
       hx("96 14 0c 00 00 00 00 00 66 00 00 00")},
      {"BREAKPOINT64_REMOVE",
       req(Command::kBreakpointRemove64, 0x15, BreakpointRequest{0xffffff8000201000}),
       hx("17 15 10 00 00 00 00 00 00 10 20 00 80 ff ff ff")},
      {"BREAKPOINT64_REMOVE reply", rep(Command::kBreakpointRemove64, 0x15, ErrorReply{0}),
       hx("97 15 0c 00 00 00 00 00 00 00 00 00")},
  };
}

std::vector<Vector> io_msr_dump_vectors() {
  return {
      {"READIOPORT", req(Command::kReadIoPort, 0x18, IoPortReadRequest{0xfffe, 0x80, 1}),
       hx("1b 18 0e 00 00 00 00 00 fe ff 80 00 01 00")},
      {"READIOPORT reply", rep(Command::kReadIoPort, 0x18, DataReply{0, hx("5a")}),
       hx("9b 18 0d 00 00 00 00 00 00 00 00 00 5a")},
      {"READIOPORT reply BADFLAVOR", rep(Command::kReadIoPort, 0x19, DataReply{3, {}}),
       hx("9b 19 0c 00 00 00 00 00 03 00 00 00")},
      {"WRITEIOPORT", req(Command::kWriteIoPort, 0x1a, IoPortWriteRequest{0xfffe, 0x80, hx("34 12")}),
       hx("1c 1a 10 00 00 00 00 00 fe ff 80 00 02 00 34 12")},
      {"WRITEIOPORT reply", rep(Command::kWriteIoPort, 0x1a, ErrorReply{0}),
       hx("9c 1a 0c 00 00 00 00 00 00 00 00 00")},
      {"READMSR64 EFER", req(Command::kReadMsr64, 0x1b, MsrReadRequest{0xc0000080, 0xfffe}),
       hx("1d 1b 0e 00 00 00 00 00 80 00 00 c0 fe ff")},
      {"READMSR64 reply with value", rep(Command::kReadMsr64, 0x1b, MsrReadReply{0, 0xd01}),
       hx("9d 1b 14 00 00 00 00 00 00 00 00 00 01 0d 00 00 00 00 00 00")},
      {"READMSR64 reply without value", rep(Command::kReadMsr64, 0x1c, MsrReadReply{2, std::nullopt}),
       hx("9d 1c 0c 00 00 00 00 00 02 00 00 00")},
      {"WRITEMSR64", req(Command::kWriteMsr64, 0x1d, MsrWriteRequest{0xc0000080, 0xfffe, 0xd01}),
       hx("1e 1d 16 00 00 00 00 00 80 00 00 c0 fe ff 01 0d 00 00 00 00 00 00")},
      {"WRITEMSR64 reply", rep(Command::kWriteMsr64, 0x1d, ErrorReply{0}),
       hx("9e 1d 0c 00 00 00 00 00 00 00 00 00")},
      {"DUMPINFO SETINFO|NORESUME",
       req(Command::kDumpInfo, 0x1e, DumpInfo{"core-10.7", "10.0.0.2", "", 1069, 0x20000001}),
       cat({hx("1f 1e 62 00 00 00 00 00"),
            dumpinfo_body("core-10.7", "10.0.0.2", "2d 04 00 00 01 00 00 20")})},
      {"DUMPINFO reply CORE|NORESUME",
       rep(Command::kDumpInfo, 0x1e, DumpInfo{"core-10.7", "10.0.0.2", "", 1069, 0x20000102}),
       cat({hx("9f 1e 62 00 00 00 00 00"),
            dumpinfo_body("core-10.7", "10.0.0.2", "2d 04 00 00 02 01 00 20")})},
  };
}

std::vector<Vector> notification_vectors() {
  ExceptionInfo breakpoint{0, 6, 3, 0};
  ExceptionInfo page_fault{1, 1, 2, 0xdeadbeef};
  return {
      {"EXCEPTION breakpoint (§10)", req(Command::kException, 0xee, ExceptionNotification{{breakpoint}}),
       hx("0d ee 1c 00 00 00 00 00 01 00 00 00 00 00 00 00 06 00 00 00 03 00 00 00 00 00 00 00")},
      {"EXCEPTION with two entries",
       req(Command::kException, 1, ExceptionNotification{{breakpoint, page_fault}}),
       hx("0d 01 2c 00 00 00 00 00 02 00 00 00"
          "00 00 00 00 06 00 00 00 03 00 00 00 00 00 00 00"
          "01 00 00 00 01 00 00 00 02 00 00 00 ef be ad de")},
      {"gdb exception ack (§10)", rep(Command::kException, 0xee), hx("8d ee 08 00 00 00 00 00")},
      {"TERMINATION KDP_EXIT 42", req(Command::kTermination, 3, TerminationNotification{1, 42}),
       hx("0e 03 10 00 00 00 00 00 01 00 00 00 2a 00 00 00")},
      {"TERMINATION ack", rep(Command::kTermination, 3), hx("8e 03 08 00 00 00 00 00")},
  };
}

std::vector<Vector> all_vectors() {
  std::vector<Vector> all;
  for (auto* group : {&session_vectors, &memory_vectors, &register_and_breakpoint_vectors,
                      &io_msr_dump_vectors, &notification_vectors})
    for (Vector& v : (*group)()) all.push_back(std::move(v));
  return all;
}

}  // namespace

TEST_CASE("every vector encodes to its exact bytes and decodes back to an equal packet") {
  for (const Vector& v : all_vectors()) {
    CAPTURE(v.name);
    Expected<Bytes> encoded = encode(v.packet);
    INFO(error_text(encoded));
    REQUIRE(encoded.has_value());
    CHECK(to_hex_string(*encoded) == to_hex_string(v.bytes));

    Expected<Packet> decoded = decode(v.bytes);
    INFO(error_text(decoded));
    REQUIRE(decoded.has_value());
    Packet expected = v.packet;
    expected.header.len = static_cast<uint16_t>(v.bytes.size());
    CHECK(*decoded == expected);
    CHECK(describe(*decoded) == describe(v.packet));
  }
}

TEST_CASE("the vectors cover the request and the reply of every command code") {
  bool request_seen[kInvalidRequest] = {};
  bool reply_seen[kInvalidRequest] = {};
  for (const Vector& v : all_vectors()) {
    auto code = static_cast<uint8_t>(v.packet.header.command);
    (v.packet.header.is_reply ? reply_seen : request_seen)[code] = true;
  }
  for (uint8_t code = 0; code < kInvalidRequest; ++code) {
    CAPTURE(command_name(code));
    CHECK(request_seen[code]);
    if (code != static_cast<uint8_t>(Command::kHostReboot)) CHECK(reply_seen[code]);
  }
}

TEST_CASE("the hand-written register state is what X86ThreadState64 encodes") {
  X86ThreadState64 state;
  state.regs[0] = 1;
  state.rip() = 0xffffff80002a1234;
  state.rflags() = 0x246;
  state.regs[18] = 8;  // cs
  CHECK(state.encode() == thread_state_bytes());
}
