#include "kgm/cached_memory.h"

#include <algorithm>

#include "kgm/memory_read.h"

namespace kdp::kgm {

CachedMemory::CachedMemory(Memory& backing, Generation generation, uint64_t slack)
    : backing_(backing), generation_(std::move(generation)), slack_(slack) {
  if (generation_) seen_generation_ = generation_();
}

void CachedMemory::invalidate() {
  extents_.clear();
  faults_.clear();
  cached_bytes_ = 0;
}

void CachedMemory::check_generation() {
  if (!generation_) return;
  const uint64_t now = generation_();
  if (now == seen_generation_) return;
  seen_generation_ = now;
  invalidate();
}

MemoryStats CachedMemory::stats() const {
  MemoryStats s = backing_.stats();
  s.cache_hits = cache_hits_;
  return s;
}

ByteView CachedMemory::cached_at(uint64_t address) const {
  auto it = extents_.upper_bound(address);
  if (it == extents_.begin()) return {};
  --it;
  const uint64_t offset = address - it->first;
  if (offset >= it->second.size()) return {};
  return ByteView(it->second).subspan(static_cast<size_t>(offset));
}

uint64_t CachedMemory::uncached_run(uint64_t address, uint64_t limit) const {
  auto next = extents_.upper_bound(address);
  if (next == extents_.end()) return limit;
  return std::min(limit, next->first - address);
}

void CachedMemory::store(uint64_t address, ByteView bytes) {
  if (cached_bytes_ + bytes.size() > kMaxCachedBytes) invalidate();
  size_t done = 0;
  while (done < bytes.size()) {
    const uint64_t at = address + done;
    if (ByteView have = cached_at(at); !have.empty()) {
      done += std::min<size_t>(have.size(), bytes.size() - done);
      continue;
    }
    const size_t piece = static_cast<size_t>(uncached_run(at, bytes.size() - done));
    extents_.emplace(at, Bytes(bytes.begin() + done, bytes.begin() + done + piece));
    cached_bytes_ += piece;
    done += piece;
  }
}

Expected<Bytes> CachedMemory::fetch(uint64_t address, uint64_t size) {
  KDP_TRY(Bytes got, backing_.read_partial(address, size));
  if (got.size() > size) got.resize(size);  // a back-end that answered more than asked
  store(address, got);
  if (got.size() < size) faults_.insert(address + got.size());
  return got;
}

Expected<Bytes> CachedMemory::read_partial(uint64_t address, uint64_t size) {
  check_generation();
  KDP_TRY_STATUS(check_read_size(size, source()));
  size = clamp_to_address_space(address, size);
  Bytes out;
  bool requested = false;
  while (out.size() < size) {
    const uint64_t pos = address + out.size();
    const uint64_t remaining = size - out.size();
    if (ByteView have = cached_at(pos); !have.empty()) {
      out.insert(out.end(), have.begin(), have.begin() + std::min<uint64_t>(have.size(), remaining));
      continue;
    }
    if (faults_.count(pos)) break;
    const uint64_t run = uncached_run(pos, remaining);
    requested = true;
    KDP_TRY(Bytes got, fetch(pos, run));
    out.insert(out.end(), got.begin(), got.end());
    if (got.size() < run) break;
  }
  if (!requested) ++cache_hits_;
  return out;
}

Expected<Bytes> CachedMemory::read(uint64_t address, uint64_t size) {
  KDP_TRY(Bytes partial, read_partial(address, size));
  return require_all(std::move(partial), address, size);
}

std::vector<Range> CachedMemory::unknown_parts(std::span<const Range> ranges) const {
  std::vector<Range> out;
  for (Range r : ranges) {
    r.size = clamp_to_address_space(r.address, r.size);
    while (r.size > 0) {
      ByteView have = cached_at(r.address);
      if (have.empty()) break;
      const uint64_t skip = std::min<uint64_t>(have.size(), r.size);
      r.address += skip;
      r.size -= skip;
    }
    if (r.size > 0 && !faults_.count(r.address)) out.push_back(r);
  }
  return out;
}

Status CachedMemory::prefetch(std::span<const Range> ranges) {
  check_generation();
  // A read that stops short leaves the ranges after its fault unknown: plan those again. Every
  // round caches bytes or records a fault at a read's first byte, so the rounds make progress;
  // the bound only caps adversarial layouts (what is left is read on demand).
  for (int round = 0; round < kMaxPrefetchRounds; ++round) {
    const std::vector<Range> wanted = unknown_parts(ranges);
    if (wanted.empty()) return {};
    bool short_read = false;
    for (const Range& read : plan_reads(wanted, max_request(), slack_)) {
      KDP_TRY(Bytes got, fetch(read.address, read.size));
      short_read = short_read || got.size() < read.size;
    }
    if (!short_read) return {};
  }
  return {};
}

}  // namespace kdp::kgm
