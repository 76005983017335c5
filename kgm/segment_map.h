// Memory described by a list of segments, as files describe it (a core's LC_SEGMENT_64s, a kernel
// file's segments): [vmaddr, vmaddr + vmsize) holds `data` followed by zeros up to vmsize (the
// zero fill of bss, or of a core segment whose filesize is below its vmsize). Addresses no
// segment covers are unmapped. The offline back-ends (core_memory, file_memory) serve reads here.
#pragma once

#include <cstdint>
#include <vector>

#include "kdp/base/bytes.h"
#include "kgm/memory.h"

namespace kdp::kgm {

// The unit the planner uses for offline memory, where a "request" is only a lookup.
inline constexpr uint64_t kOfflineMaxRequest = 64 * 1024;

struct MappedSegment {
  uint64_t vmaddr = 0;
  uint64_t vmsize = 0;  // callers keep vmaddr + vmsize - 1 from wrapping
  ByteView data;        // the first data.size() bytes (at most vmsize); the rest reads as zero
};

class SegmentMap {
 public:
  // Empty segments are dropped; overlapping ones keep the first in address order for each byte.
  explicit SegmentMap(std::vector<MappedSegment> segments);

  // The bytes from `address` up to `size`, stopping at the first address no segment maps (so
  // result.size() < size names the first unmapped byte). Segments that touch read as one.
  Bytes read_prefix(uint64_t address, uint64_t size) const;

  bool contains(uint64_t address) const { return find(address) != nullptr; }
  const std::vector<MappedSegment>& segments() const { return segments_; }

 private:
  const MappedSegment* find(uint64_t address) const;
  std::vector<MappedSegment> segments_;  // sorted by vmaddr
};

// A Memory served from a SegmentMap: the offline back-ends (core file, kernel file) differ only in
// where the segments come from and in what an unmapped read says.
class SegmentMemory : public Memory {
 public:
  Expected<Bytes> read(uint64_t address, uint64_t size) override;
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override;
  uint64_t max_request() const override { return kOfflineMaxRequest; }
  MemoryStats stats() const override { return stats_; }

 protected:
  SegmentMemory() : map_(std::vector<MappedSegment>{}) {}
  void set_segments(std::vector<MappedSegment> segments) { map_ = SegmentMap(std::move(segments)); }
  // Added to gdb's "Cannot access memory at address 0x..." (" (no target is attached ...)").
  virtual std::string unmapped_note() const { return ""; }

 private:
  SegmentMap map_;
  MemoryStats stats_;
};

}  // namespace kdp::kgm
