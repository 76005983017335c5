// The kernel memory a capture shows: bytes seen in READMEM/READMEM64 replies (and WRITEMEM*
// requests the kernel accepted), later observations replacing earlier ones, plus the addresses
// where a read came back short (the kernel could not read there). Nothing else is known: a read
// of bytes the capture never saw stops there and says so; no byte is ever made up.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "kdp/base/bytes.h"

namespace kdp::pcap {

struct MemoryExtent {
  uint64_t address = 0;
  uint64_t size = 0;
};

class CapturedMemory {
 public:
  static constexpr uint64_t kPageSize = 4096;

  // Bytes observed at `address` (clipped at 2^64).
  void store(uint64_t address, ByteView bytes);
  // A read of the kernel stopped at `address`: that byte was unreadable when it was asked for.
  void mark_unreadable(uint64_t address) { unreadable_.insert(address); }

  enum class Stop {
    kComplete,     // every byte was read
    kUnreadable,   // the kernel could not read stop_address (a short reply in the capture)
    kNotCaptured,  // the capture has no bytes for [stop_address, missing_end)
  };
  struct Read {
    Bytes bytes;  // from the start up to stop_address
    Stop stop = Stop::kComplete;
    uint64_t stop_address = 0;
    uint64_t missing_end = 0;  // kNotCaptured: the first captured byte after the gap (or the request's end)
  };
  // Up to `size` bytes at `address` (size is clipped so the range does not pass 2^64).
  Read read(uint64_t address, uint64_t size) const;

  // Contiguous captured extents in address order.
  std::vector<MemoryExtent> extents() const;
  uint64_t known_bytes() const;

 private:
  struct Page {
    std::array<uint8_t, kPageSize> bytes{};
    std::bitset<kPageSize> known;
  };
  bool known(uint64_t address) const;

  std::map<uint64_t, std::unique_ptr<Page>> pages_;
  std::set<uint64_t> unreadable_;
};

}  // namespace kdp::pcap
