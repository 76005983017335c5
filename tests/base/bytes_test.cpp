#include <doctest/doctest.h>

#include "kdp/base/bytes.h"

using namespace kdp;

TEST_CASE("ByteReader reads little and big endian integers") {
  const Bytes data = {0x34, 0x12, 0xa0, 0xb3, 0x78, 0x56, 0x34, 0x12};
  ByteReader r(data, "test");
  CHECK(*r.u16("a") == 0x1234);
  CHECK(*r.u16be("port") == 0xa0b3);
  CHECK(*r.u32("b") == 0x12345678u);
  CHECK(r.at_end());
}

TEST_CASE("ByteReader reads unsigned integers of any width from 1 to 8 bytes") {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(data, "test");
  CHECK(*r.uint(3, "three") == 0x030201u);
  CHECK(*r.uint(3, "three", Endian::kBig) == 0x040506u);
  CHECK_FALSE(r.uint(2, "past the end"));  // one byte left
  CHECK(r.offset() == 6);
  CHECK(r.uint(0, "empty").error().message().find("integers are 1 to 8") != std::string::npos);
  CHECK_FALSE(r.uint(9, "wide"));
  CHECK(*r.uint(1, "last") == 0x07u);
}

TEST_CASE("ByteReader reports the field, absolute offset and sizes on a short read") {
  const Bytes data = {1, 2, 3};
  ByteReader r(data, "KDP_VERSION reply", 8);
  auto v = r.u32("version");
  REQUIRE_FALSE(v);
  CHECK(v.error().kind() == ErrorKind::kMalformed);
  CHECK(v.error().message() == "KDP_VERSION reply: version at offset 0x8: needs 4 bytes, 3 available");
  CHECK(r.offset() == 0);  // a failed read consumes nothing
}

TEST_CASE("ByteReader strings stay inside the buffer") {
  const Bytes data = {'h', 'i', 0, 'x', 'y'};
  ByteReader r(data, "s");
  CHECK(*r.c_string("first") == "hi");
  auto unterminated = r.c_string("second");
  REQUIRE_FALSE(unterminated);
  CHECK(unterminated.error().message() ==
        "s: second at offset 0x3: string is not NUL-terminated within the 2 remaining bytes");
  ByteReader f(data, "f");
  CHECK(*f.fixed_string(5, "name") == "hi");
}

TEST_CASE("ByteReader::sub keeps absolute offsets and rejects ranges past the end") {
  const Bytes data(16, 0xaa);
  ByteReader r(data, "file");
  auto s = r.sub(4, 8, "segment");
  REQUIRE(s);
  CHECK(s->absolute_offset() == 4);
  auto bad = r.sub(12, 8, "segment");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message() == "file: segment [0xc, +0x8) extends past the end (size 0x10)");
  CHECK_FALSE(r.sub(~0ull, 2, "wrap"));
}

TEST_CASE("ByteWriter writes both byte orders and patches") {
  ByteWriter w;
  w.u16be(41139);
  w.u32(0x01000007);
  w.fixed_string("abc", 5);
  w.patch_u16(0, 0x0102);
  CHECK(w.data() == Bytes{0x02, 0x01, 0x07, 0x00, 0x00, 0x01, 'a', 'b', 'c', 0, 0});
}

TEST_CASE("hex helpers round-trip and reject junk") {
  CHECK(hex(0) == "0x0");
  CHECK(hex(0xffffff8000200000ull) == "0xffffff8000200000");
  CHECK(to_hex_string(Bytes{0x92, 0x00, 0x08}) == "920008");
  CHECK(*from_hex_string("92 00 08 00") == Bytes{0x92, 0x00, 0x08, 0x00});
  CHECK_FALSE(from_hex_string("9"));
  CHECK_FALSE(from_hex_string("zz"));
}
