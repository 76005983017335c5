// A cache over any Memory, valid while the kernel stays stopped. It is keyed by a generation
// number (client::Session::generation for the live session: it changes on every resume, step,
// write and reattach) compared on every call, so bytes read before the kernel ran are never
// served after. Within a generation:
//   - cached bytes answer later reads exactly (no request);
//   - an address found unreadable is remembered, and a later read stops there (reporting it as
//     the fault address) without asking again; bytes are never invented;
//   - prefetch(ranges) reads what a command is about to need with the fewest requests
//     (kgm/read_plan.h), so the reads that follow are cache hits.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "kgm/memory.h"
#include "kgm/read_plan.h"

namespace kdp::kgm {

class CachedMemory final : public Memory {
 public:
  // Returns the backing memory's current generation; empty: it never changes (core, file).
  using Generation = std::function<uint64_t()>;

  // `backing` must outlive this object.
  explicit CachedMemory(Memory& backing, Generation generation = {}, uint64_t slack = kDefaultSlack);

  Expected<Bytes> read(uint64_t address, uint64_t size) override;
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override;
  // An Error only when the back-end failed; unreadable ranges are remembered for the later read.
  Status prefetch(std::span<const Range> ranges) override;
  void invalidate() override;
  uint64_t max_request() const override { return backing_.max_request(); }
  // requests and bytes are the back-end's; cache_hits counts reads that sent no request.
  MemoryStats stats() const override;
  std::string source() const override { return backing_.source(); }

  // Bytes held now (for tests and -v).
  uint64_t cached_bytes() const { return cached_bytes_; }

 private:
  static constexpr uint64_t kMaxCachedBytes = uint64_t{128} << 20;  // then start over
  static constexpr int kMaxPrefetchRounds = 16;

  void check_generation();
  // The cached bytes from `address` to the end of the extent holding it (empty: not cached).
  ByteView cached_at(uint64_t address) const;
  // Bytes from `address` that may be fetched before running into cached ones (at most `limit`).
  uint64_t uncached_run(uint64_t address, uint64_t limit) const;
  // Fetches [address, address + size) from the back-end, keeps what it got and a fault if short.
  Expected<Bytes> fetch(uint64_t address, uint64_t size);
  void store(uint64_t address, ByteView bytes);
  // What of `ranges` is still unknown: each range from its first uncached byte, unless that byte
  // is known to be unreadable.
  std::vector<Range> unknown_parts(std::span<const Range> ranges) const;

  Memory& backing_;
  Generation generation_;
  uint64_t slack_;
  uint64_t seen_generation_ = 0;
  std::map<uint64_t, Bytes> extents_;  // start -> bytes; disjoint (they may touch)
  std::set<uint64_t> faults_;          // addresses known to be unreadable
  uint64_t cached_bytes_ = 0;
  uint64_t cache_hits_ = 0;
};

}  // namespace kdp::kgm
