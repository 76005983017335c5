#include "kgm/read_plan.h"

#include <algorithm>

namespace kdp::kgm {

std::vector<Range> merge_ranges(std::span<const Range> ranges) {
  std::vector<Range> sorted;
  for (Range r : ranges) {
    if (r.size == 0) continue;
    r.size = std::min(r.size, UINT64_MAX - r.address);  // end() stays representable
    if (r.size != 0) sorted.push_back(r);
  }
  std::sort(sorted.begin(), sorted.end(), [](const Range& a, const Range& b) { return a.address < b.address; });
  std::vector<Range> merged;
  for (const Range& r : sorted) {
    if (!merged.empty() && r.address <= merged.back().end()) {
      Range& last = merged.back();
      last.size = std::max(last.end(), r.end()) - last.address;
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

std::vector<Range> plan_reads(std::span<const Range> ranges, uint64_t max_request, uint64_t slack) {
  const std::vector<Range> wanted = merge_ranges(ranges);
  const uint64_t unit = std::max<uint64_t>(max_request, 1);
  std::vector<Range> reads;
  size_t i = 0;
  uint64_t pos = wanted.empty() ? 0 : wanted[0].address;  // first byte not yet covered
  while (i < wanted.size()) {
    const uint64_t start = pos;
    const uint64_t limit = start + std::min(unit, UINT64_MAX - start);  // no wrap
    uint64_t end = std::min(wanted[i].end(), limit);
    // Reach into the following ranges while the gap is small and the read has room.
    while (end == wanted[i].end() && i + 1 < wanted.size() && wanted[i + 1].address - end <= slack &&
           wanted[i + 1].address < limit) {
      ++i;
      end = std::min(wanted[i].end(), limit);
    }
    reads.push_back({start, end - start});
    if (end == wanted[i].end()) {
      if (++i < wanted.size()) pos = wanted[i].address;
    } else {
      pos = end;
    }
  }
  return reads;
}

uint64_t minimal_request_count(std::span<const Range> ranges, uint64_t max_request) {
  return plan_reads(ranges, max_request, kUnlimitedSlack).size();
}

}  // namespace kdp::kgm
