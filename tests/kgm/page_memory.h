// Test memory: sparse 4 KiB pages, mapped by writing to them. Reads of unmapped bytes fail like
// the real back-ends ("Cannot access memory at address 0x...", fault_address set). Counts requests
// as a KDP session would send them (one per max_request() bytes) and records prefetch hints.
#pragma once

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "kgm/memory.h"

namespace kgm_test {

using kdp::Bytes;
using kdp::Expected;
using kdp::kgm::Range;

class PageMemory : public kdp::kgm::Memory {
 public:
  static constexpr uint64_t kPage = 4096;

  void write(uint64_t address, kdp::ByteView bytes) {
    for (size_t i = 0; i < bytes.size(); ++i) page(address + i)[(address + i) % kPage] = bytes[i];
  }
  void u8(uint64_t a, uint8_t v) { write(a, kdp::ByteView(&v, 1)); }
  void u16(uint64_t a, uint16_t v) { le(a, v, 2); }
  void u32(uint64_t a, uint32_t v) { le(a, v, 4); }
  void u64(uint64_t a, uint64_t v) { le(a, v, 8); }
  // The characters, then a NUL unless `terminate` is false.
  void str(uint64_t a, const std::string& s, bool terminate = true) {
    write(a, kdp::ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    if (terminate) u8(a + s.size(), 0);
  }
  void map(uint64_t address, uint64_t size) {
    for (uint64_t p = address / kPage; p <= (address + size - 1) / kPage; ++p) page(p * kPage);
  }
  void unmap(uint64_t address) { pages_.erase(address / kPage); }

  Expected<Bytes> read(uint64_t address, uint64_t size) override {
    count(size);
    Bytes out = readable_prefix(address, size);
    if (out.size() < size) {
      uint64_t fault = address + out.size();
      return kdp::Error(kdp::ErrorKind::kNotFound, "Cannot access memory at address " + kdp::hex(fault))
          .with_fault_address(fault);
    }
    return out;
  }
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override {
    count(size);
    return readable_prefix(address, size);
  }
  kdp::Status prefetch(std::span<const Range> ranges) override {
    prefetched.insert(prefetched.end(), ranges.begin(), ranges.end());
    return {};
  }
  uint64_t max_request() const override { return max_request_; }
  kdp::kgm::MemoryStats stats() const override { return stats_; }
  std::string source() const override { return "test pages"; }

  void set_max_request(uint64_t n) { max_request_ = n; }
  void reset_counts() {
    stats_ = {};
    prefetched.clear();
  }
  std::vector<Range> prefetched;

 private:
  std::array<uint8_t, kPage>& page(uint64_t address) {
    auto [it, inserted] = pages_.try_emplace(address / kPage);
    if (inserted) it->second.fill(0);
    return it->second;
  }
  void le(uint64_t a, uint64_t v, int n) {
    uint8_t b[8];
    for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    write(a, kdp::ByteView(b, n));
  }
  void count(uint64_t size) {
    stats_.requests += (size + max_request_ - 1) / max_request_;
    stats_.bytes += size;
  }
  Bytes readable_prefix(uint64_t address, uint64_t size) const {
    Bytes out;
    out.reserve(std::min<uint64_t>(size, 1 << 20));
    for (uint64_t i = 0; i < size; ++i) {
      uint64_t a = address + i;
      if (a < address) break;  // wrapped past 2^64
      auto it = pages_.find(a / kPage);
      if (it == pages_.end()) break;
      out.push_back(it->second[a % kPage]);
    }
    return out;
  }

  std::map<uint64_t, std::array<uint8_t, kPage>> pages_;
  kdp::kgm::MemoryStats stats_;
  uint64_t max_request_ = 1024;
};

}  // namespace kgm_test
