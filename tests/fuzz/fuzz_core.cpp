// libFuzzer target: the Mach-O core file reader and the snapshot built from what it accepts.
#include <cstddef>
#include <cstdint>

#include "tools/kdp-sim/snapshot.h"
#include "macho/core/core_file.h"

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
  return 0;
}
