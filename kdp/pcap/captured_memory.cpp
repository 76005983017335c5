#include "kdp/pcap/captured_memory.h"

#include <algorithm>

namespace kdp::pcap {
namespace {

uint64_t page_of(uint64_t address) { return address & ~(CapturedMemory::kPageSize - 1); }
uint64_t clip(uint64_t address, uint64_t size) { return std::min(size, UINT64_MAX - address); }

}  // namespace

void CapturedMemory::store(uint64_t address, ByteView bytes) {
  const uint64_t count = clip(address, bytes.size());
  for (uint64_t i = 0; i < count;) {
    const uint64_t at = address + i;
    std::unique_ptr<Page>& page = pages_[page_of(at)];
    if (!page) page = std::make_unique<Page>();
    const uint64_t offset = at - page_of(at);
    const uint64_t n = std::min(count - i, kPageSize - offset);
    std::copy_n(bytes.begin() + static_cast<ptrdiff_t>(i), n, page->bytes.begin() + static_cast<ptrdiff_t>(offset));
    for (uint64_t k = 0; k < n; ++k) page->known.set(offset + k);
    i += n;
  }
}

bool CapturedMemory::known(uint64_t address) const {
  auto it = pages_.find(page_of(address));
  return it != pages_.end() && it->second->known.test(address - page_of(address));
}

CapturedMemory::Read CapturedMemory::read(uint64_t address, uint64_t size) const {
  Read out;
  const uint64_t count = clip(address, size);
  uint64_t i = 0;
  for (; i < count; ++i) {
    const uint64_t at = address + i;
    auto it = pages_.find(page_of(at));
    const uint64_t offset = at - page_of(at);
    if (it == pages_.end() || !it->second->known.test(offset)) break;
    out.bytes.push_back(it->second->bytes[offset]);
  }
  out.stop_address = address + i;
  if (i == count) return out;
  if (unreadable_.count(out.stop_address)) {
    out.stop = Stop::kUnreadable;
    return out;
  }
  out.stop = Stop::kNotCaptured;
  uint64_t end = out.stop_address;
  while (end < address + count && !known(end)) {
    // Skip whole missing pages at once.
    if (end == page_of(end) && pages_.find(end) == pages_.end() && address + count - end >= kPageSize)
      end += kPageSize;
    else
      ++end;
  }
  out.missing_end = end;
  return out;
}

std::vector<MemoryExtent> CapturedMemory::extents() const {
  std::vector<MemoryExtent> out;
  for (const auto& [base, page] : pages_) {
    for (uint64_t off = 0; off < kPageSize; ++off) {
      if (!page->known.test(off)) continue;
      const uint64_t at = base + off;
      if (!out.empty() && out.back().address + out.back().size == at)
        ++out.back().size;
      else
        out.push_back({at, 1});
    }
  }
  return out;
}

uint64_t CapturedMemory::known_bytes() const {
  uint64_t n = 0;
  for (const auto& [base, page] : pages_) n += page->known.count();
  return n;
}

}  // namespace kdp::pcap
