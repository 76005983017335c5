#include "kgm/segment_map.h"

#include <algorithm>

#include "kgm/memory_read.h"

namespace kdp::kgm {

SegmentMap::SegmentMap(std::vector<MappedSegment> segments) {
  std::stable_sort(segments.begin(), segments.end(),
                   [](const MappedSegment& a, const MappedSegment& b) { return a.vmaddr < b.vmaddr; });
  for (MappedSegment& s : segments) {
    if (s.vmsize == 0) continue;
    if (s.data.size() > s.vmsize) s.data = s.data.first(static_cast<size_t>(s.vmsize));
    // The file readers reject overlaps; should one slip through, the lower segment wins.
    if (!segments_.empty() && s.vmaddr - segments_.back().vmaddr < segments_.back().vmsize) continue;
    segments_.push_back(s);
  }
}

const MappedSegment* SegmentMap::find(uint64_t address) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), address,
                             [](uint64_t a, const MappedSegment& s) { return a < s.vmaddr; });
  if (it == segments_.begin()) return nullptr;
  --it;
  return address - it->vmaddr < it->vmsize ? &*it : nullptr;
}

Bytes SegmentMap::read_prefix(uint64_t address, uint64_t size) const {
  Bytes out;
  uint64_t pos = address;
  while (out.size() < size) {
    const MappedSegment* s = find(pos);
    if (s == nullptr) break;
    const uint64_t offset = pos - s->vmaddr;
    const uint64_t take = std::min(s->vmsize - offset, size - out.size());
    const uint64_t stored = offset < s->data.size() ? std::min<uint64_t>(take, s->data.size() - offset) : 0;
    const uint8_t* first = s->data.data() + (stored ? offset : 0);
    out.insert(out.end(), first, first + stored);
    out.resize(out.size() + (take - stored), 0);  // past the stored bytes: zero fill
    pos += take;
    if (pos == 0) break;  // the top of the address space
  }
  return out;
}

Expected<Bytes> SegmentMemory::read_partial(uint64_t address, uint64_t size) {
  KDP_TRY_STATUS(check_read_size(size, source()));
  ++stats_.requests;
  Bytes out = map_.read_prefix(address, clamp_to_address_space(address, size));
  stats_.bytes += out.size();
  return out;
}

Expected<Bytes> SegmentMemory::read(uint64_t address, uint64_t size) {
  KDP_TRY(Bytes partial, read_partial(address, size));
  if (partial.size() == size) return partial;
  const uint64_t fault = address + partial.size();
  return Error(ErrorKind::kNotFound, "Cannot access memory at address " + hex(fault) + unmapped_note())
      .with_fault_address(fault);
}

}  // namespace kdp::kgm
