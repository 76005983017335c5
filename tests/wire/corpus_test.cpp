// The fuzzer's seed corpus (tests/fuzz/corpus/wire) must stay made of valid, canonical packets,
// or fuzzing would start from the wrong place.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "kdp/wire/codec.h"
#include "tests/wire/wire_test_util.h"

using namespace kdp;
using namespace kdp::wire;
using namespace kdp::wire::test;

TEST_CASE("every seed in the wire fuzz corpus decodes and re-encodes to the same bytes") {
  const std::filesystem::path dir = std::filesystem::path(KDPCTL_SOURCE_DIR) / "tests/fuzz/corpus/wire";
  REQUIRE(std::filesystem::is_directory(dir));
  size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    CAPTURE(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const Bytes bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    Expected<Packet> packet = decode(bytes);
    INFO(error_text(packet));
    REQUIRE(packet.has_value());
    Expected<Bytes> again = encode(*packet);
    REQUIRE(again.has_value());
    CHECK(*again == bytes);
    ++seeds;
  }
  CHECK(seeds >= 10);
}
