// decode() on bad datagrams: one row per rule, each with the exact error text it must produce.
#include <doctest/doctest.h>

#include "kdp/wire/codec.h"
#include "tests/wire/wire_test_util.h"

using namespace kdp;
using namespace kdp::wire;
using namespace kdp::wire::test;

namespace {

struct Row {
  const char* name;
  std::string datagram;  // hex
  std::string error;
};

void check_rows(std::initializer_list<Row> rows) {
  for (const Row& row : rows) {
    CAPTURE(row.name);
    Expected<Packet> packet = decode(hx(row.datagram));
    REQUIRE_FALSE(packet.has_value());
    CHECK(packet.error().kind() == ErrorKind::kMalformed);
    CHECK(packet.error().message() == row.error);
  }
}

}  // namespace

TEST_CASE("short headers are rejected whatever their length") {
  const Bytes full = hx("01 00 08 00 00 00 00 00");
  for (size_t n = 0; n < kHeaderSize; ++n) {
    CAPTURE(n);
    ByteView prefix = ByteView(full).first(n);
    std::string expected =
        "datagram of " + std::to_string(n) + " bytes is shorter than the 8-byte KDP header";
    Expected<Packet> packet = decode(prefix);
    REQUIRE_FALSE(packet.has_value());
    CHECK(packet.error().message() == expected);
    Expected<Header> header = decode_header(prefix);
    REQUIRE_FALSE(header.has_value());
    CHECK(header.error().message() == expected);
  }
}

TEST_CASE("framing: len field, size limit, unknown codes, replies that do not exist") {
  check_rows({
      {"len larger than the datagram", "12 00 0c 00 00 00 00 00 c3 50",
       "datagram of 10 bytes: header len field says 12"},
      {"len smaller than the datagram", "12 00 08 00 00 00 00 00 c3 50",
       "datagram of 10 bytes: header len field says 8"},
      {"LLDB's exception ack (len 28 in 8 bytes)", "8d ee 1c 00 00 00 00 00",
       "datagram of 8 bytes: header len field says 28"},
      {"code 0x20 (KDP_INVALID_REQUEST)", "20 00 08 00 00 00 00 00", "unknown command code 0x20"},
      {"code 0x7f", "7f 00 08 00 00 00 00 00", "unknown command code 0x7f"},
      {"reply bit on an unknown code", "a5 00 08 00 00 00 00 00", "unknown command code 0x25"},
      {"HOSTREBOOT reply", "93 00 08 00 00 00 00 00", "KDP_HOSTREBOOT has no reply"},
  });
}

TEST_CASE("datagrams above 1472 bytes are rejected even when len matches") {
  // encode() can never produce one and the kernel's 1518-byte frame buffer cannot receive one, so
  // accepting them would only break the decode/encode round trip.
  Bytes big = cat({hx("15 00 d0 07 00 00 00 00"), zeros(2000 - 8)});
  Expected<Packet> packet = decode(big);
  REQUIRE_FALSE(packet.has_value());
  CHECK(packet.error().message() == "datagram of 2000 bytes exceeds the 1472-byte KDP maximum");
}

TEST_CASE("truncated fixed-layout requests name the missing field") {
  check_rows({
      {"CONNECT without exc_note_port", "00 00 0a 00 00 00 00 00 c3 50",
       "KDP_CONNECT request: exc_note_port at offset 0xa: needs 2 bytes, 0 available"},
      {"REATTACH with half a port", "12 00 09 00 00 00 00 00 c3",
       "KDP_REATTACH request: req_reply_port at offset 0x8: needs 2 bytes, 1 available"},
      {"READMEM", "05 00 0e 00 00 00 00 00 00 10 00 00 00 02",
       "KDP_READMEM request: nbytes at offset 0xc: needs 4 bytes, 2 available"},
      {"READMEM64", "14 03 12 00 00 00 00 00 00 00 20 00 80 ff ff ff 00 02",
       "KDP_READMEM64 request: nbytes at offset 0x10: needs 4 bytes, 2 available"},
      {"READPHYSMEM64 without lcpu", "19 00 14 00 00 00 00 00 00 00 10 00 00 00 00 00 08 00 00 00",
       "KDP_READPHYSMEM64 request: lcpu at offset 0x14: needs 2 bytes, 0 available"},
      {"WRITEMEM", "06 00 0e 00 00 00 00 00 00 20 00 00 03 00",
       "KDP_WRITEMEM request: nbytes at offset 0xc: needs 4 bytes, 2 available"},
      {"READREGS without flavor", "07 00 0c 00 00 00 00 00 01 00 00 00",
       "KDP_READREGS request: flavor at offset 0xc: needs 4 bytes, 0 available"},
      {"WRITEREGS without flavor", "08 00 0c 00 00 00 00 00 00 00 00 00",
       "KDP_WRITEREGS request: flavor at offset 0xc: needs 4 bytes, 0 available"},
      {"RESUMECPUS", "0c 00 0a 00 00 00 00 00 0f 00",
       "KDP_RESUMECPUS request: cpu_mask at offset 0x8: needs 4 bytes, 2 available"},
      {"BREAKPOINT_SET without address", "0f 00 08 00 00 00 00 00",
       "KDP_BREAKPOINT_SET request: address at offset 0x8: needs 4 bytes, 0 available"},
      {"BREAKPOINT64_REMOVE with a 32-bit address", "17 00 0c 00 00 00 00 00 00 10 20 00",
       "KDP_BREAKPOINT64_REMOVE request: address at offset 0x8: needs 8 bytes, 4 available"},
      {"READIOPORT without nbytes", "1b 00 0c 00 00 00 00 00 fe ff 80 00",
       "KDP_READIOPORT request: nbytes at offset 0xc: needs 2 bytes, 0 available"},
      {"READMSR64 without lcpu", "1d 00 0c 00 00 00 00 00 80 00 00 c0",
       "KDP_READMSR64 request: lcpu at offset 0xc: needs 2 bytes, 0 available"},
      {"WRITEMSR64 without its value", "1e 00 0e 00 00 00 00 00 80 00 00 c0 fe ff",
       "KDP_WRITEMSR64 request: data at offset 0xe: needs 8 bytes, 0 available"},
      {"DUMPINFO without port and type", "1f 00 5a 00 00 00 00 00" + std::string(82 * 2, '0'),
       "KDP_DUMPINFO request: port at offset 0x5a: needs 4 bytes, 0 available"},
      {"TERMINATION without exit_code", "0e 00 0c 00 00 00 00 00 01 00 00 00",
       "KDP_TERMINATION notification: exit_code at offset 0xc: needs 4 bytes, 0 available"},
      {"EXCEPTION without n_exc_info", "0d 00 0a 00 00 00 00 00 01 00",
       "KDP_EXCEPTION notification: n_exc_info at offset 0x8: needs 4 bytes, 2 available"},
  });
}

TEST_CASE("count fields must match the bytes that follow") {
  check_rows({
      {"WRITEMEM64 nbytes larger than the data",
       "15 00 20 00 00 00 00 00 00 10 20 00 80 ff ff ff 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
       "KDP_WRITEMEM64 request: nbytes at offset 0x10 says 16 but 12 bytes follow"},
      {"WRITEMEM64 nbytes smaller than the data",
       "15 00 16 00 00 00 00 00 00 10 20 00 80 ff ff ff 01 00 00 00 cc cc",
       "KDP_WRITEMEM64 request: nbytes at offset 0x10 says 1 but 2 bytes follow"},
      {"WRITEMEM nbytes larger than the data", "06 00 11 00 00 00 00 00 00 20 00 00 02 00 00 00 aa",
       "KDP_WRITEMEM request: nbytes at offset 0xc says 2 but 1 bytes follow"},
      {"WRITEPHYSMEM64 nbytes larger than the data",
       "1a 00 18 00 00 00 00 00 00 00 10 00 00 00 00 00 04 00 00 00 01 00 90 90",
       "KDP_WRITEPHYSMEM64 request: nbytes at offset 0x10 says 4 but 2 bytes follow"},
      {"WRITEIOPORT nbytes larger than the data", "1c 00 10 00 00 00 00 00 fe ff 80 00 04 00 34 12",
       "KDP_WRITEIOPORT request: nbytes at offset 0xc says 4 but 2 bytes follow"},
      {"EXCEPTION n_exc_info 2 with one entry",
       "0d 00 1c 00 00 00 00 00 02 00 00 00 00 00 00 00 06 00 00 00 03 00 00 00 00 00 00 00",
       "KDP_EXCEPTION notification: n_exc_info at offset 0x8 says 2 (32 bytes) but 16 bytes follow"},
      {"EXCEPTION n_exc_info 0xffffffff",
       "0d 00 1c 00 00 00 00 00 ff ff ff ff 00 00 00 00 06 00 00 00 03 00 00 00 00 00 00 00",
       "KDP_EXCEPTION notification: n_exc_info at offset 0x8 says 4294967295 (68719476720 bytes) "
       "but 16 bytes follow"},
      {"EXCEPTION with a partial entry after a full one",
       "0d 00 20 00 00 00 00 00 01 00 00 00 00 00 00 00 06 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00",
       "KDP_EXCEPTION notification: n_exc_info at offset 0x8 says 1 (16 bytes) but 20 bytes follow"},
      {"REGIONS nregions 2 with one entry",
       "91 00 18 00 00 00 00 00 02 00 00 00 00 00 00 00 ff ff ff ff 07 00 00 00",
       "KDP_REGIONS reply: nregions at offset 0x8 says 2 (24 bytes) but 12 bytes follow"},
      {"REGIONS nregions 0 with one entry",
       "91 00 18 00 00 00 00 00 00 00 00 00 00 00 00 00 ff ff ff ff 07 00 00 00",
       "KDP_REGIONS reply: nregions at offset 0x8 says 0 (0 bytes) but 12 bytes follow"},
  });
}

TEST_CASE("strings must be NUL-terminated inside the datagram") {
  check_rows({
      {"CONNECT greeting", "00 00 0e 00 00 00 00 00 c3 50 c3 50 41 42",
       "KDP_CONNECT request: greeting at offset 0xc: string is not NUL-terminated within the 2 "
       "remaining bytes"},
      {"CONNECT without any greeting byte (xnu itself would accept it)",
       "00 00 0c 00 00 00 00 00 c3 50 c3 50",
       "KDP_CONNECT request: greeting at offset 0xc: string is not NUL-terminated within the 0 "
       "remaining bytes"},
      {"LOAD file_args", "09 00 0b 00 00 00 00 00 2f 6d 6b",
       "KDP_LOAD request: file_args at offset 0x8: string is not NUL-terminated within the 3 "
       "remaining bytes"},
      {"KERNELVERSION reply", "98 00 0d 00 00 00 00 00 44 61 72 77 69",
       "KDP_KERNELVERSION reply: version at offset 0x8: string is not NUL-terminated within the 5 "
       "remaining bytes"},
      {"KERNELVERSION reply without a body", "98 00 08 00 00 00 00 00",
       "KDP_KERNELVERSION reply: version at offset 0x8: string is not NUL-terminated within the 0 "
       "remaining bytes"},
      {"IMAGEPATH reply", "8a 00 0a 00 00 00 00 00 2f 6d",
       "KDP_IMAGEPATH reply: path at offset 0x8: string is not NUL-terminated within the 2 "
       "remaining bytes"},
  });
}

TEST_CASE("replies and acks must end exactly after their last field") {
  check_rows({
      {"REATTACH reply with a port", "92 00 0a 00 00 00 00 00 c3 50",
       "KDP_REATTACH reply: 2 trailing bytes at offset 0x8"},
      {"exception ack with a body", "8d 00 0c 00 00 00 00 00 00 00 00 00",
       "KDP_EXCEPTION ack: 4 trailing bytes at offset 0x8"},
      {"CONNECT reply", "80 00 0d 00 00 00 00 00 00 00 00 00 00",
       "KDP_CONNECT reply: 1 trailing bytes at offset 0xc"},
      {"VERSION reply", "83 00 1c 00 00 00 00 00 0c 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 ff ff ff ff",
       "KDP_VERSION reply: 4 trailing bytes at offset 0x18"},
      {"READMSR64 reply with 12 bytes after error",
       "9d 00 18 00 00 00 00 00 00 00 00 00 01 0d 00 00 00 00 00 00 ff ff ff ff",
       "KDP_READMSR64 reply: 4 trailing bytes at offset 0x14"},
      {"KERNELVERSION reply with bytes after the NUL", "98 00 0b 00 00 00 00 00 44 00 45",
       "KDP_KERNELVERSION reply: 1 trailing bytes at offset 0xa"},
      {"DUMPINFO reply of 99 bytes", "9f 00 63 00 00 00 00 00" + std::string(91 * 2, '0'),
       "KDP_DUMPINFO reply: 1 trailing bytes at offset 0x62"},
  });
}

TEST_CASE("truncated replies name the missing field") {
  check_rows({
      {"CONNECT reply without error", "80 00 08 00 00 00 00 00",
       "KDP_CONNECT reply: error at offset 0x8: needs 4 bytes, 0 available"},
      {"BREAKPOINT64_SET reply", "96 00 0b 00 00 00 00 00 00 00 00",
       "KDP_BREAKPOINT64_SET reply: error at offset 0x8: needs 4 bytes, 3 available"},
      {"HOSTINFO reply", "82 00 10 00 00 00 00 00 0f 00 00 00 07 00 00 01",
       "KDP_HOSTINFO reply: cpu_subtype at offset 0x10: needs 4 bytes, 0 available"},
      {"VERSION reply without pads", "83 00 10 00 00 00 00 00 0c 00 00 00 01 00 00 00",
       "KDP_VERSION reply: pad0 at offset 0x10: needs 4 bytes, 0 available"},
      {"MAXBYTES reply", "84 00 08 00 00 00 00 00",
       "KDP_MAXBYTES reply: max_bytes at offset 0x8: needs 4 bytes, 0 available"},
      {"READMEM64 reply", "94 00 0a 00 00 00 00 00 00 00",
       "KDP_READMEM64 reply: error at offset 0x8: needs 4 bytes, 2 available"},
      {"READMSR64 reply with half a value", "9d 00 10 00 00 00 00 00 00 00 00 00 01 0d 00 00",
       "KDP_READMSR64 reply: data at offset 0xc: needs 8 bytes, 4 available"},
      {"REGIONS reply without nregions", "91 00 0a 00 00 00 00 00 01 00",
       "KDP_REGIONS reply: nregions at offset 0x8: needs 4 bytes, 2 available"},
      {"DUMPINFO reply with only 4 body bytes",
       "9f 00 0c 00 00 00 00 00 00 00 00 00",
       "KDP_DUMPINFO reply: name at offset 0x8: needs 50 bytes, 4 available"},
  });
}

// xnu serves a request when len >= sizeof(request struct) and ignores the rest (spec §3.3), so the
// decoder does too; re-encoding yields the canonical, shorter datagram.
TEST_CASE("requests may carry trailing bytes, which are ignored") {
  struct Lenient {
    const char* name;
    const char* datagram;
    const char* canonical;
  };
  const Lenient rows[] = {
      {"DISCONNECT with 4 extra bytes", "01 02 0c 00 00 00 00 00 de ad be ef",
       "01 02 08 00 00 00 00 00"},
      {"READMEM64 with 2 extra bytes",
       "14 03 16 00 00 00 00 00 00 00 20 00 80 ff ff ff 00 02 00 00 ff ff",
       "14 03 14 00 00 00 00 00 00 00 20 00 80 ff ff ff 00 02 00 00"},
      {"CONNECT with bytes after the greeting's NUL", "00 00 0f 00 00 00 00 00 c3 50 c3 50 00 41 42",
       "00 00 0d 00 00 00 00 00 c3 50 c3 50 00"},
      {"TERMINATION with 1 extra byte", "0e 00 11 00 00 00 00 00 01 00 00 00 02 00 00 00 ff",
       "0e 00 10 00 00 00 00 00 01 00 00 00 02 00 00 00"},
  };
  for (const Lenient& row : rows) {
    CAPTURE(row.name);
    Expected<Packet> packet = decode(hx(row.datagram));
    INFO(error_text(packet));
    REQUIRE(packet.has_value());
    CHECK(packet->header.len == hx(row.datagram).size());
    Expected<Bytes> again = encode(*packet);
    REQUIRE(again.has_value());
    CHECK(to_hex_string(*again) == to_hex_string(hx(row.canonical)));
  }
}

TEST_CASE("decode_header routes datagrams that decode() rejects") {
  Expected<Header> lldb_ack = decode_header(hx("8d ee 1c 00 00 00 00 00"));
  REQUIRE(lldb_ack.has_value());
  CHECK(lldb_ack->command == Command::kException);
  CHECK(lldb_ack->is_reply);
  CHECK(lldb_ack->seq == 0xee);
  CHECK(lldb_ack->len == 28);
  CHECK(lldb_ack->key == 0);

  Expected<Header> keyed = decode_header(hx("94 03 0c 02 78 56 34 12 00"));
  REQUIRE(keyed.has_value());
  CHECK(keyed->command == Command::kReadMem64);
  CHECK(keyed->len == 0x20c);
  CHECK(keyed->key == 0x12345678);

  Expected<Header> unknown = decode_header(hx("a0 00 08 00 00 00 00 00"));
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().message() == "unknown command code 0x20");
}

TEST_CASE("describe_datagram never fails") {
  CHECK(describe_datagram(hx("8d ee 1c 00 00 00 00 00")) ==
        "malformed (8 bytes): datagram of 8 bytes: header len field says 28");
  CHECK(describe_datagram({}) ==
        "malformed (0 bytes): datagram of 0 bytes is shorter than the 8-byte KDP header");
  CHECK(describe_datagram(hx("8d ee 08 00 00 00 00 00")) == "KDP_EXCEPTION ack seq=238 key=0x0");
}
