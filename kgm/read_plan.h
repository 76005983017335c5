// The read planner: which reads fetch a set of byte ranges. A command declares the fields it needs
// (one Range each, from the type layout); the plan covers every requested byte with the fewest
// reads of at most `max_request` bytes (KDP: MAXBYTES), reading across a gap between two requested
// ranges only when the gap is at most `slack` bytes (a round trip costs far more than a few
// hundred bytes, but unrequested bytes may be unmapped, and are wasted).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kgm/memory.h"

namespace kdp::kgm {

// Half a KDP reply: as LLDB's 512-byte memory cache lines, a read may carry up to this many
// unrequested bytes between two requested ranges to save a round trip.
inline constexpr uint64_t kDefaultSlack = 512;
inline constexpr uint64_t kUnlimitedSlack = UINT64_MAX;

// The requested bytes as sorted, disjoint ranges; overlapping and touching ranges are merged and
// empty ones dropped. A range reaching the top of the address space ends at its last byte below
// 2^64 - 1 (no range ends past 2^64).
std::vector<Range> merge_ranges(std::span<const Range> ranges);

// Reads covering every requested byte: each at most max_request bytes (max_request 0 counts as 1),
// in address order, disjoint, every one starting at a requested byte; unrequested bytes inside a
// read are gaps of at most `slack` between requested ones. Never more reads than the ranges would
// take one by one (each range split at max_request).
std::vector<Range> plan_reads(std::span<const Range> ranges, uint64_t max_request, uint64_t slack = kDefaultSlack);

// The fewest reads of at most max_request bytes that cover every requested byte, whatever lies
// between them (the planner with unlimited slack: the greedy cover is optimal on a line). The
// yardstick for benchmarks: requests sent / minimal_request_count.
uint64_t minimal_request_count(std::span<const Range> ranges, uint64_t max_request);

}  // namespace kdp::kgm
