// A kgm::Memory for tests whose bytes come from a function (nullopt: unmapped), counting its
// calls as a KDP session counts requests (a read of n bytes costs ceil(n / max_request)), and able
// to fail like a back-end that timed out.
#pragma once

#include <functional>
#include <map>
#include <optional>

#include "kgm/memory.h"
#include "kgm/memory_read.h"

namespace kdp::kgm::test {

class FnMemory final : public Memory {
 public:
  using ByteAt = std::function<std::optional<uint8_t>(uint64_t address)>;
  explicit FnMemory(ByteAt at, uint64_t max_request = 1024) : at_(std::move(at)), max_(max_request) {}

  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override {
    if (failure) return *failure;
    ++calls;
    stats_.requests += size == 0 ? 1 : (size + max_ - 1) / max_;
    Bytes out;
    for (uint64_t i = 0; i < size; ++i) {
      auto b = at_(address + i);
      if (!b) break;
      out.push_back(*b);
    }
    stats_.bytes += out.size();
    return out;
  }
  Expected<Bytes> read(uint64_t address, uint64_t size) override {
    KDP_TRY(Bytes partial, read_partial(address, size));
    return require_all(std::move(partial), address, size);
  }
  uint64_t max_request() const override { return max_; }
  MemoryStats stats() const override { return stats_; }
  std::string source() const override { return "test memory"; }

  std::optional<Error> failure;  // set: every read fails with it
  int calls = 0;

 private:
  ByteAt at_;
  uint64_t max_;
  MemoryStats stats_;
};

// Little-endian 64-bit words at the given addresses; every other byte is unmapped.
inline FnMemory::ByteAt words(std::map<uint64_t, uint64_t> values) {
  return [values = std::move(values)](uint64_t a) -> std::optional<uint8_t> {
    auto it = values.upper_bound(a);
    if (it == values.begin()) return std::nullopt;
    --it;
    if (a - it->first >= 8) return std::nullopt;
    return static_cast<uint8_t>(it->second >> (8 * (a - it->first)));
  };
}

// Byte value = low byte of its address, mapped inside [begin, end) only.
inline FnMemory::ByteAt address_bytes(uint64_t begin, uint64_t end) {
  return [begin, end](uint64_t a) -> std::optional<uint8_t> {
    if (a < begin || a >= end) return std::nullopt;
    return static_cast<uint8_t>(a);
  };
}

}  // namespace kdp::kgm::test
