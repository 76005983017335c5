#include "tests/world/world_reader.h"

#include <doctest/doctest.h>

namespace kdp::world::testing {

std::optional<ByteView> CoreMemory::bytes(uint64_t address, uint64_t count) const {
  for (const macho::CoreSegment& s : core_.segments) {
    if (address < s.vmaddr || address - s.vmaddr >= s.vmsize) continue;
    uint64_t rel = address - s.vmaddr;
    if (count > s.vmsize - rel || rel + count > s.data.size()) return std::nullopt;
    return ByteView(s.data).subspan(rel, count);
  }
  return std::nullopt;
}

ByteReader CoreMemory::reader(uint64_t address, uint64_t count) const {
  auto b = bytes(address, count);
  REQUIRE_MESSAGE(b.has_value(), "unmapped read at " << hex(address));
  return ByteReader(*b, "world memory");
}

uint64_t CoreMemory::u64(uint64_t address) const {
  auto v = reader(address, 8).u64("u64");
  REQUIRE(v);
  return *v;
}

uint32_t CoreMemory::u32(uint64_t address) const {
  auto v = reader(address, 4).u32("u32");
  REQUIRE(v);
  return *v;
}

uint8_t CoreMemory::u8(uint64_t address) const {
  auto v = reader(address, 1).u8("u8");
  REQUIRE(v);
  return *v;
}

std::string CoreMemory::c_string(uint64_t address, size_t max) const {
  std::string out;
  for (size_t i = 0; i < max; ++i) {
    uint8_t c = u8(address + i);
    if (c == 0) break;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace kdp::world::testing
