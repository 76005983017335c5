// CachedMemory and the read planner over a counting test memory: hits, generation invalidation,
// remembered faults, coalescing within max_request, and the minimal plan.
#include <doctest/doctest.h>

#include <random>

#include "kgm/cached_memory.h"
#include "kgm/read_plan.h"
#include "tests/kgm/test_memory.h"

using namespace kdp;
using namespace kdp::kgm;
using kdp::kgm::test::FnMemory;

namespace {

Bytes expected_bytes(uint64_t address, uint64_t size) {
  Bytes b;
  for (uint64_t i = 0; i < size; ++i) b.push_back(static_cast<uint8_t>(address + i));
  return b;
}

uint64_t total(const std::vector<Range>& reads) {
  uint64_t n = 0;
  for (const Range& r : reads) n += r.size;
  return n;
}

}  // namespace

TEST_CASE("cached bytes answer later reads exactly, without requests") {
  FnMemory backing(test::address_bytes(0x1000, 0x3000));
  CachedMemory cache(backing);
  auto first = cache.read(0x1100, 0x40);
  REQUIRE(first);
  CHECK(*first == expected_bytes(0x1100, 0x40));
  CHECK(backing.calls == 1);
  auto inside = cache.read(0x1110, 0x10);
  REQUIRE(inside);
  CHECK(*inside == expected_bytes(0x1110, 0x10));
  CHECK(backing.calls == 1);
  CHECK(cache.stats().cache_hits == 1);
  // Overlapping the cached bytes: only the missing tail is fetched.
  auto longer = cache.read(0x1120, 0x40);
  REQUIRE(longer);
  CHECK(*longer == expected_bytes(0x1120, 0x40));
  CHECK(backing.calls == 2);
  CHECK(cache.cached_bytes() == 0x60);
}

TEST_CASE("a new generation drops the cache; invalidate() does too") {
  FnMemory backing(test::address_bytes(0x1000, 0x3000));
  uint64_t generation = 7;
  CachedMemory cache(backing, [&generation] { return generation; });
  REQUIRE(cache.read(0x1000, 8));
  REQUIRE(cache.read(0x1000, 8));
  CHECK(backing.calls == 1);
  ++generation;  // the kernel ran
  REQUIRE(cache.read(0x1000, 8));
  CHECK(backing.calls == 2);
  cache.invalidate();
  REQUIRE(cache.read(0x1000, 8));
  CHECK(backing.calls == 3);
  CHECK(cache.stats().cache_hits == 1);
}

TEST_CASE("unreadable memory is remembered and reported at its first address") {
  FnMemory backing(test::address_bytes(0x1000, 0x1010));
  CachedMemory cache(backing);
  auto first = cache.read(0x1008, 0x10);
  REQUIRE_FALSE(first);
  CHECK(first.error().fault_address() == 0x1010);
  CHECK(first.error().message() == "Cannot access memory at address 0x1010");
  CHECK(backing.calls == 1);
  auto again = cache.read(0x1000, 0x20);  // the fault is known: only the prefix is fetched
  REQUIRE_FALSE(again);
  CHECK(again.error().fault_address() == 0x1010);
  auto partial = cache.read_partial(0x1004, 0x20);
  REQUIRE(partial);
  CHECK(*partial == expected_bytes(0x1004, 0xc));  // no invented bytes past the fault
  const int calls = backing.calls;
  CHECK(!cache.read(0x1000, 0x20));
  CHECK(backing.calls == calls);
}

TEST_CASE("a back-end failure is an error of its own kind, and nothing is cached") {
  FnMemory backing(test::address_bytes(0x1000, 0x3000));
  CachedMemory cache(backing);
  backing.failure = Error(ErrorKind::kTimeout, "no reply").with_fault_address(0x1000);
  auto failed = cache.read(0x1000, 8);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().kind() == ErrorKind::kTimeout);
  CHECK_FALSE(is_unmapped(failed.error()));
  const Range range{0x1000, 8};
  CHECK_FALSE(cache.prefetch({&range, 1}));
  backing.failure.reset();
  auto later = cache.read(0x1000, 8);
  REQUIRE(later);
  CHECK(*later == expected_bytes(0x1000, 8));
}

TEST_CASE("prefetch coalesces fields into few reads; the reads that follow are hits") {
  FnMemory backing(test::address_bytes(0x10000, 0x20000), 1024);
  CachedMemory cache(backing);
  // Fields of 16 objects 0x200 apart: 8 bytes at +0x10, 4 at +0x68, 16 at +0xf0.
  std::vector<Range> fields;
  for (uint64_t i = 0; i < 16; ++i)
    for (Range f : {Range{0x10, 8}, Range{0x68, 4}, Range{0xf0, 16}})
      fields.push_back({0x10000 + i * 0x200 + f.address, f.size});
  REQUIRE(cache.prefetch(fields));
  const uint64_t sent = backing.stats().requests;
  CHECK(sent == minimal_request_count(fields, 1024));
  for (const Range& f : fields) {
    auto bytes = cache.read(f.address, f.size);
    REQUIRE(bytes);
    CHECK(*bytes == expected_bytes(f.address, f.size));
  }
  CHECK(backing.stats().requests == sent);
  CHECK(cache.stats().cache_hits == fields.size());
}

TEST_CASE("prefetch across a hole reads the ranges beyond it, and remembers the hole") {
  // Mapped: [0x1000, 0x1100) and [0x1180, 0x1300); the ranges straddle the hole at 0x1100.
  FnMemory backing([](uint64_t a) -> std::optional<uint8_t> {
    if ((a >= 0x1000 && a < 0x1100) || (a >= 0x1180 && a < 0x1300)) return static_cast<uint8_t>(a);
    return std::nullopt;
  });
  CachedMemory cache(backing);
  const std::vector<Range> ranges = {{0x10f0, 8}, {0x1120, 8}, {0x1190, 8}};
  REQUIRE(cache.prefetch(ranges));
  const int calls = backing.calls;
  auto a = cache.read(0x10f0, 8);
  REQUIRE(a);
  auto hole = cache.read(0x1120, 8);
  REQUIRE_FALSE(hole);
  CHECK(hole.error().fault_address() == 0x1120);
  auto c = cache.read(0x1190, 8);
  REQUIRE(c);
  CHECK(*c == expected_bytes(0x1190, 8));
  CHECK(backing.calls == calls);  // all three answered from what prefetch learned
}

TEST_CASE("the planner: coalescing, max_request, slack, and the minimal plan") {
  SUBCASE("overlapping, adjacent and near ranges merge into one read") {
    const std::vector<Range> ranges = {{0x100, 8}, {0x104, 8}, {0x10c, 4}, {0x180, 8}};
    auto reads = plan_reads(ranges, 1024, 256);
    REQUIRE(reads.size() == 1);
    CHECK(reads[0] == Range{0x100, 0x88});
  }
  SUBCASE("a gap larger than the slack splits the reads; unlimited slack does not") {
    const std::vector<Range> ranges = {{0x100, 8}, {0x300, 8}};
    CHECK(plan_reads(ranges, 1024, 256).size() == 2);
    CHECK(plan_reads(ranges, 1024).size() == 1);  // the default slack (512) bridges 0x1f8 bytes
    CHECK(plan_reads(ranges, 1024, kUnlimitedSlack).size() == 1);
    CHECK(minimal_request_count(ranges, 1024) == 1);
  }
  SUBCASE("no read exceeds max_request; a long range is split") {
    const std::vector<Range> ranges = {{0x1000, 3000}};
    auto reads = plan_reads(ranges, 1024);
    REQUIRE(reads.size() == 3);
    CHECK(reads[0] == Range{0x1000, 1024});
    CHECK(reads[2] == Range{0x1800, 3000 - 2048});
  }
  SUBCASE("empty ranges and an empty set plan nothing") {
    const std::vector<Range> ranges = {{0x1000, 0}};
    CHECK(plan_reads(ranges, 1024).empty());
    CHECK(minimal_request_count({}, 1024) == 0);
  }
  SUBCASE("a range ending at the top of the address space") {
    const std::vector<Range> ranges = {{UINT64_MAX - 7, 8}, {UINT64_MAX - 100, 4}};
    auto reads = plan_reads(ranges, 1024);
    REQUIRE(reads.size() == 1);
    CHECK(reads[0].address == UINT64_MAX - 100);
  }
}

TEST_CASE("planner properties over random field sets") {
  std::mt19937_64 random(20261201);
  for (int trial = 0; trial < 300; ++trial) {
    const uint64_t max_request = 16 + random() % 2048;
    const uint64_t slack = random() % 512;
    std::vector<Range> ranges;
    const size_t count = 1 + random() % 40;
    uint64_t one_by_one = 0;
    for (size_t i = 0; i < count; ++i) {
      Range r{0x10000 + random() % 0x8000, 1 + random() % 300};
      ranges.push_back(r);
      one_by_one += (r.size + max_request - 1) / max_request;
    }
    const auto reads = plan_reads(ranges, max_request, slack);
    const auto merged = merge_ranges(ranges);
    CAPTURE(trial);
    CHECK(reads.size() <= one_by_one);
    CHECK(reads.size() >= minimal_request_count(ranges, max_request));
    for (size_t i = 0; i < reads.size(); ++i) {
      CHECK(reads[i].size >= 1);
      CHECK(reads[i].size <= max_request);
      if (i > 0) CHECK(reads[i].address >= reads[i - 1].end());  // ordered, disjoint
    }
    // Every requested byte is read; unrequested bytes are gaps of at most `slack` each.
    uint64_t requested = 0;
    for (const Range& m : merged) requested += m.size;
    size_t gaps = 0;
    uint64_t covered = 0;
    for (const Range& m : merged) {
      for (const Range& r : reads) {
        const uint64_t lo = std::max(m.address, r.address), hi = std::min(m.end(), r.end());
        if (lo < hi) covered += hi - lo;
      }
    }
    CHECK(covered == requested);
    for (size_t i = 1; i < merged.size(); ++i) gaps += merged[i].address - merged[i - 1].end() <= slack;
    CHECK(total(reads) - requested <= gaps * slack);
  }
}
