#include <doctest/doctest.h>

#include "kdp/stub/breakpoints.h"
#include "kdp/stub/memory.h"

using namespace kdp;
using namespace kdp::stub;

TEST_CASE("Memory maps whole pages, zero-fills past the content, and stops at unmapped pages") {
  Memory m;
  REQUIRE(m.map(0x10000, 0x1800, Bytes{1, 2, 3}));
  CHECK(m.page_count() == 2);
  CHECK(m.read(0x10000, 4) == Bytes{1, 2, 3, 0});
  CHECK(m.read(0x11ffe, 16).size() == 2);  // the second page ends at 0x12000
  CHECK(m.read(0x12000, 16).empty());
  CHECK_FALSE(m.byte_at(0xffff).has_value());
  CHECK(m.byte_at(0x11fff) == 0);
  CHECK(m.is_mapped(0x11abc));
  CHECK_FALSE(m.is_mapped(0x12000));
}

TEST_CASE("Memory writes span pages and stop at the first unmapped one") {
  Memory m;
  REQUIRE(m.map(0x2000, 0x2000));
  Bytes data(0x20, 0xab);
  CHECK(m.write(0x2ff0, data) == 0x20);
  CHECK(m.read(0x2fef, 0x22) == [] {
    Bytes b(0x22, 0xab);
    b.front() = 0;
    b.back() = 0;
    return b;
  }());
  CHECK(m.write(0x3ff8, data) == 8);
  CHECK(m.write(0x8000, data) == 0);
}

TEST_CASE("Memory from known pieces reads and writes only those bytes, never invented ones") {
  Memory m;
  REQUIRE(m.map_known(0x5ff8, Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));  // crosses into 0x6000
  REQUIRE(m.map_known(0x6010, Bytes{0xaa, 0xbb}));
  CHECK(m.page_count() == 2);
  CHECK(m.read(0x5ff8, 16) == Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});  // stops at 0x6002
  CHECK(m.read(0x5ff0, 8).empty());                                  // before the known bytes
  CHECK_FALSE(m.byte_at(0x6002).has_value());
  CHECK(m.read(0x600f, 4).empty());
  CHECK(m.read(0x6010, 4) == Bytes{0xaa, 0xbb});
  CHECK(m.write(0x6011, Bytes{0xcc, 0xdd}) == 1);  // the unknown byte after stays unknown
  CHECK(m.byte_at(0x6011) == 0xcc);
  REQUIRE(m.map(0x8000, 0x1000));                   // a page mapped whole stays whole
  REQUIRE(m.map_known(0x8100, Bytes{7}));
  CHECK(m.read(0x80ff, 3) == Bytes{0, 7, 0});
}

TEST_CASE("Memory rejects ranges that wrap and content longer than the region") {
  Memory m;
  CHECK_FALSE(m.map(0xfffffffffffff000ULL, 0x2000));
  CHECK_FALSE(m.map(0x1000, 2, Bytes{1, 2, 3}));
  REQUIRE(m.map(0xfffffffffffff000ULL, 0x1000, Bytes{9}));  // the very last page is fine
  CHECK(m.read(0xffffffffffffffffULL, 4).size() == 1);      // and reads do not wrap to 0
  CHECK(m.map(0x5000, 0));                                   // empty: nothing mapped
  CHECK(m.page_count() == 1);
}

TEST_CASE("BreakpointTable patches memory and restores every byte on remove_all") {
  Memory m;
  REQUIRE(m.map(0x1000, 0x1000, Bytes{0x55, 0x48, 0x89}));
  BreakpointTable t;
  CHECK(t.set(m, 0x1000) == wire::KdpError::kNoError);
  CHECK(t.set(m, 0x1002) == wire::KdpError::kNoError);
  CHECK(m.read(0x1000, 3) == Bytes{0xcc, 0x48, 0xcc});
  CHECK(t.contains(0x1002));
  t.remove_all(m);
  CHECK(m.read(0x1000, 3) == Bytes{0x55, 0x48, 0x89});
  CHECK(t.size() == 0);
  CHECK(t.remove(m, 0x1000) == wire::KdpError::kBreakpointNotFound);
}
