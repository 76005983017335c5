// encode() refuses packets it cannot represent faithfully, with kUsage errors.
#include <doctest/doctest.h>

#include "kdp/wire/codec.h"
#include "tests/wire/wire_test_util.h"

using namespace kdp;
using namespace kdp::wire;
using namespace kdp::wire::test;

namespace {

void check_usage_error(const Packet& packet, const std::string& expected) {
  Expected<Bytes> bytes = encode(packet);
  REQUIRE_FALSE(bytes.has_value());
  CHECK(bytes.error().kind() == ErrorKind::kUsage);
  CHECK(bytes.error().message() == expected);
}

}  // namespace

TEST_CASE("the body must be the shape of (command, direction)") {
  check_usage_error(req(Command::kReadMem64, 0, DataReply{}),
                    "KDP_READMEM64 request: body is DataReply, expected MemReadRequest");
  check_usage_error(rep(Command::kConnect, 0, ConnectRequest{}),
                    "KDP_CONNECT reply: body is ConnectRequest, expected ErrorReply");
  check_usage_error(req(Command::kVersion, 0, VersionReply{}),
                    "KDP_VERSION request: body is VersionReply, expected Empty");
  check_usage_error(rep(Command::kException, 0, ExceptionNotification{}),
                    "KDP_EXCEPTION ack: body is ExceptionNotification, expected Empty");
  check_usage_error(rep(Command::kHostReboot, 0), "KDP_HOSTREBOOT has no reply");
  check_usage_error(req(static_cast<Command>(0x25), 0), "unknown command code 0x25");
}

TEST_CASE("32-bit commands refuse addresses above 4 GiB") {
  const std::string hint = " does not fit the 32-bit address field (use the 64-bit command)";
  check_usage_error(req(Command::kReadMem, 0, MemReadRequest{0x100000000, 4}),
                    "KDP_READMEM request: address 0x100000000" + hint);
  check_usage_error(req(Command::kWriteMem, 0, MemWriteRequest{0xffffff8000200000, {0xcc}}),
                    "KDP_WRITEMEM request: address 0xffffff8000200000" + hint);
  check_usage_error(req(Command::kBreakpointRemove, 0, BreakpointRequest{0x100000000}),
                    "KDP_BREAKPOINT_REMOVE request: address 0x100000000" + hint);
  Expected<Bytes> top = encode(req(Command::kBreakpointSet, 0, BreakpointRequest{0xffffffff}));
  REQUIRE(top.has_value());
  CHECK(to_hex_string(*top) == "0f000c0000000000ffffffff");
}

TEST_CASE("packets above 1472 bytes are refused, 1472 exactly is fine") {
  Expected<Bytes> largest = encode(req(Command::kWriteMem64, 0, MemWriteRequest{0, Bytes(1452)}));
  REQUIRE(largest.has_value());
  CHECK(largest->size() == kMaxPacketSize);
  CHECK(decode(*largest).has_value());
  check_usage_error(req(Command::kWriteMem64, 0, MemWriteRequest{0, Bytes(1453)}),
                    "KDP_WRITEMEM64 request: 1473 bytes exceed the 1472-byte maximum packet size");
  check_usage_error(req(Command::kWriteIoPort, 0, IoPortWriteRequest{0xfffe, 0x80, Bytes(70000)}),
                    "KDP_WRITEIOPORT request: 70014 bytes exceed the 1472-byte maximum packet size");
  check_usage_error(req(Command::kException, 0, ExceptionNotification{std::vector<ExceptionInfo>(92)}),
                    "KDP_EXCEPTION notification: 1484 bytes exceed the 1472-byte maximum packet size");
}

TEST_CASE("strings that the wire cannot carry are refused") {
  check_usage_error(req(Command::kConnect, 0, ConnectRequest{1, 1, std::string("a\0b", 3)}),
                    "KDP_CONNECT request: greeting contains a NUL byte");
  check_usage_error(rep(Command::kKernelVersion, 0, KernelVersionReply{std::string(1, '\0')}),
                    "KDP_KERNELVERSION reply: version contains a NUL byte");
  check_usage_error(req(Command::kDumpInfo, 0, DumpInfo{std::string(51, 'n'), "", "", 0, 0}),
                    "KDP_DUMPINFO request: name is 51 bytes, the field holds 50");
  check_usage_error(rep(Command::kDumpInfo, 0, DumpInfo{"", "", "255.255.255.255.1", 0, 0}),
                    "KDP_DUMPINFO reply: routerip is 17 bytes, the field holds 16");
  // A name that fills its field exactly has no NUL on the wire and still round-trips.
  Packet full = req(Command::kDumpInfo, 0, DumpInfo{std::string(50, 'n'), "10.0.0.2", "", 0, 0});
  Expected<Bytes> bytes = encode(full);
  REQUIRE(bytes.has_value());
  Expected<Packet> back = decode(*bytes);
  REQUIRE(back.has_value());
  full.header.len = 98;
  CHECK(*back == full);
}
