// describe() golden lines: the format is what logs, `kdpctl decode` and pcap diffs grep for, so any
// change to it must show up here.
#include <doctest/doctest.h>

#include "kdp/wire/codec.h"
#include "kdp/wire/names.h"
#include "tests/wire/wire_test_util.h"

using namespace kdp;
using namespace kdp::wire;
using namespace kdp::wire::test;

TEST_CASE("describe: session and memory packets") {
  CHECK(describe(req(Command::kConnect, 0, ConnectRequest{50000, 50000, "Greetings from LLDB..."})) ==
        "KDP_CONNECT seq=0 key=0x0 reply_port=50000 exc_port=50000 greeting=\"Greetings from LLDB...\"");
  CHECK(describe(rep(Command::kConnect, 0, ErrorReply{0})) ==
        "KDP_CONNECT reply seq=0 key=0x0 error=KDPERR_NO_ERROR");
  CHECK(describe(make_reply(Command::kReattach, 0, 0x1337, Empty{})) ==
        "KDP_REATTACH reply seq=0 key=0x1337");
  CHECK(describe(req(Command::kReadMem64, 3, MemReadRequest{0xffffff8000200000, 512})) ==
        "KDP_READMEM64 seq=3 key=0x0 address=0xffffff8000200000 nbytes=512");
  CHECK(describe(rep(Command::kReadMem64, 3, DataReply{0, Bytes(512)})) ==
        "KDP_READMEM64 reply seq=3 key=0x0 error=KDPERR_NO_ERROR data=512 bytes");
  CHECK(describe(req(Command::kWriteMem64, 4, MemWriteRequest{0xffffff8000201000, {0xcc}})) ==
        "KDP_WRITEMEM64 seq=4 key=0x0 address=0xffffff8000201000 data=1 bytes");
  CHECK(describe(rep(Command::kWriteMem64, 4, ErrorReply{7})) ==
        "KDP_WRITEMEM64 reply seq=4 key=0x0 error=KDPERR(0x7)");
  CHECK(describe(rep(Command::kVersion, 1, VersionReply{12, 1, 0xdead, 0xbeef})) ==
        "KDP_VERSION reply seq=1 key=0x0 version=12 feature=0x1");
  CHECK(describe(rep(Command::kHostInfo, 2, HostInfoReply{0xf, 0x01000007, 4})) ==
        "KDP_HOSTINFO reply seq=2 key=0x0 cpus_mask=0xf cpu_type=0x1000007 cpu_subtype=4");
  CHECK(describe(rep(Command::kRegions, 9, RegionsReply{{Region{0, 0xffffffff, 7}}})) ==
        "KDP_REGIONS reply seq=9 key=0x0 n=1 [address=0x0 nbytes=0xffffffff protection=0x7]");
}

TEST_CASE("describe: notifications, acks and odd values") {
  CHECK(describe(req(Command::kException, 0, ExceptionNotification{{ExceptionInfo{0, 6, 3, 0}}})) ==
        "KDP_EXCEPTION seq=0 key=0x0 n=1 [cpu=0 exception=EXC_BREAKPOINT(6) code=3 subcode=0x0]");
  CHECK(describe(req(Command::kException, 1,
                     ExceptionNotification{{ExceptionInfo{0, 1, 2, 0xdeadbeef},
                                            ExceptionInfo{1, 42, 0, 0}}})) ==
        "KDP_EXCEPTION seq=1 key=0x0 n=2 [cpu=0 exception=EXC_BAD_ACCESS(1) code=2 "
        "subcode=0xdeadbeef] [cpu=1 exception=EXC(0x2a) code=0 subcode=0x0]");
  CHECK(describe(rep(Command::kException, 0)) == "KDP_EXCEPTION ack seq=0 key=0x0");
  CHECK(describe(req(Command::kTermination, 2, TerminationNotification{1, 42})) ==
        "KDP_TERMINATION seq=2 key=0x0 term_code=KDP_EXIT exit_code=42");
  CHECK(describe(rep(Command::kTermination, 2)) == "KDP_TERMINATION ack seq=2 key=0x0");
  CHECK(describe(rep(Command::kKernelVersion, 3, KernelVersionReply{"say \"hi\"\\\n\x01\xff"})) ==
        "KDP_KERNELVERSION reply seq=3 key=0x0 version=\"say \\\"hi\\\"\\\\\\x0a\\x01\\xff\"");
  CHECK(describe(rep(Command::kReadMsr64, 5, MsrReadReply{0, 0xd01})) ==
        "KDP_READMSR64 reply seq=5 key=0x0 error=KDPERR_NO_ERROR value=0xd01");
  CHECK(describe(rep(Command::kReadMsr64, 6, MsrReadReply{3, std::nullopt})) ==
        "KDP_READMSR64 reply seq=6 key=0x0 error=KDPERR_BADFLAVOR");
  CHECK(describe(req(Command::kDumpInfo, 7, DumpInfo{"core", "10.0.0.2", "", 1069, 0x20000102})) ==
        "KDP_DUMPINFO seq=7 key=0x0 name=\"core\" destip=\"10.0.0.2\" routerip=\"\" port=1069 "
        "type=0x20000102");
  CHECK(describe(req(Command::kReadIoPort, 8, IoPortReadRequest{0xfffe, 0x80, 1})) ==
        "KDP_READIOPORT seq=8 key=0x0 lcpu=0xfffe port=0x80 nbytes=1");
}

TEST_CASE("names for commands, errors and exceptions") {
  CHECK(command_name(Command::kReadMem64) == "KDP_READMEM64");
  CHECK(command_name(0x1f) == "KDP_DUMPINFO");
  CHECK(command_name(0x25) == "KDP_UNKNOWN(0x25)");
  CHECK(error_name(2) == "KDPERR_BAD_NBYTES");
  CHECK(error_name(102) == "KDPERR_BREAKPOINT_ALREADY_SET");
  CHECK(error_name(7) == "KDPERR(0x7)");
  CHECK(exception_name(1) == "EXC_BAD_ACCESS");
  CHECK(exception_name(10) == "EXC_CRASH");
  CHECK(exception_name(0) == "EXC(0x0)");
  CHECK(exception_name(11) == "EXC(0xb)");
  CHECK(termination_name(4) == "KDP_COMMAND_MODE");
  CHECK(termination_name(5) == "KDP_TERM(0x5)");
}
