// libFuzzer target: the Mach-O core file reader, the snapshot built from what it accepts, and the
// kgm core back-end with the cache and read planner over it (ranges drawn from the input's tail).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kgm/cached_memory.h"
#include "kgm/core_memory.h"
#include "kgm/read_plan.h"
#include "tools/kdp-sim/snapshot.h"
#include "macho/core/core_file.h"

namespace {

// Up to 16 ranges from the last bytes of the input, aimed at the core's segments so they hit.
std::vector<kdp::kgm::Range> ranges_from(const uint8_t* data, size_t size, const kdp::macho::CoreFile& core) {
  std::vector<kdp::kgm::Range> out;
  if (core.segments.empty()) return out;
  for (size_t i = 0; i + 4 <= size && out.size() < 16; i += 4) {
    const uint8_t* p = data + size - 4 - i;
    const auto& segment = core.segments[p[0] % core.segments.size()];
    const uint64_t offset = (uint64_t{p[1]} << 8 | p[2]) * 8;
    out.push_back({segment.vmaddr + offset - 64, uint64_t{p[3]} * 8});
  }
  return out;
}

void exercise_memory(const uint8_t* data, size_t size, const kdp::macho::CoreFile& core) {
  kdp::kgm::CoreMemory memory(core, "fuzz.core");
  kdp::kgm::CachedMemory cache(memory);
  const auto ranges = ranges_from(data, size, core);
  const auto plan = kdp::kgm::plan_reads(ranges, 1024);
  if (plan.size() < kdp::kgm::minimal_request_count(ranges, 1024)) __builtin_trap();
  for (const auto& read : plan)
    if (read.size == 0 || read.size > 1024) __builtin_trap();
  (void)cache.prefetch(ranges);
  for (const auto& r : ranges) {
    auto cached = cache.read_partial(r.address, r.size);
    auto direct = memory.read_partial(r.address, r.size);
    // The cache never invents or loses bytes: it answers what the back-end answers.
    if (!cached || !direct || *cached != *direct) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto core = kdp::macho::parse_core(kdp::ByteView(data, size), "fuzz.core");
  if (!core) return 0;
  // Whatever the reader accepts must re-encode and load (or be refused with an error).
  if (auto image = kdp::macho::encode_core(*core)) {
    auto again = kdp::macho::parse_core(*image, "re-encoded");
    if (!again || !(*again == *core)) __builtin_trap();
  }
  uint64_t mapped = 0;
  for (const auto& segment : core->segments) mapped += segment.vmsize;  // keep iterations fast
  if (mapped <= (uint64_t{16} << 20)) (void)kdp::stub::snapshot_from_core(*core, "fuzz.core");
  exercise_memory(data, size, *core);
  return 0;
}
