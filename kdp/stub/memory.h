// The simulated kernel's virtual memory: a sparse map of 4 KiB pages built from the regions of a
// core file. Like xnu's kdp_machine_vm_read/write, a transfer walks page by page and stops at the
// first unmapped page, so callers see exactly how many bytes were transferred.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::stub {

class Memory {
 public:
  static constexpr uint64_t kPageSize = 4096;

  // Maps every page touched by [address, address + size) and copies `content` (at most `size`
  // bytes) to `address`; bytes not covered by `content` read as zero. Already mapped pages keep
  // their other bytes. Fails if the range wraps past 2^64 or content is longer than size.
  Status map(uint64_t address, uint64_t size, ByteView content = {});
  // Maps `content` at `address` as the only known bytes of the pages it touches (and of the
  // bytes other map_known calls give them): the rest of those pages cannot be read or written,
  // a transfer stops at the first unknown byte. kdp-sim --from-pcap serves what a capture holds
  // this way, and never bytes it would have to invent.
  Status map_known(uint64_t address, ByteView content);

  // Copies up to out.size() bytes starting at `address`; stops at the first unmapped page.
  // Returns the number of bytes copied.
  size_t read(uint64_t address, std::span<uint8_t> out) const;
  Bytes read(uint64_t address, size_t count) const;
  // Writes up to data.size() bytes; stops at the first unmapped page. Returns bytes written.
  size_t write(uint64_t address, ByteView data);

  std::optional<uint8_t> byte_at(uint64_t address) const;
  bool is_mapped(uint64_t address) const { return pages_.count(page_base(address)) != 0; }
  size_t page_count() const { return pages_.size(); }
  uint64_t mapped_bytes() const { return pages_.size() * kPageSize; }

 private:
  static uint64_t page_base(uint64_t address) { return address & ~(kPageSize - 1); }
  Bytes* page_for_write(uint64_t base);

  // Page base -> contents; an empty vector is an all-zero page that is allocated on first write,
  // so large zero-filled regions cost a map node per page, not 4 KiB.
  std::map<uint64_t, Bytes> pages_;
  // Pages filled by map_known: one flag per byte, 1 = known. Pages not listed are known whole.
  std::map<uint64_t, std::vector<uint8_t>> known_;

  // How many bytes from `at` (within its page, at most `n`) are known.
  size_t known_run(uint64_t at, size_t n) const;
};

}  // namespace kdp::stub
