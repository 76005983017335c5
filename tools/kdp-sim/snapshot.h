// A kernel snapshot for the stub: the memory and registers of a Mach-O core file (macho/core).
// It lives here, above both, so that kdp/stub does not depend on the Mach-O layer (library
// kdp_core_snapshot: kdp-sim, its tests and the core fuzzer link it).
#pragma once

#include <string>
#include <string_view>

#include "kdp/stub/memory.h"
#include "kdp/wire/x86_state.h"
#include "macho/core/core_file.h"

namespace kdp::stub {

// Zero-filled pages cost little, but a hostile vmsize must not exhaust memory.
inline constexpr uint64_t kMaxSnapshotBytes = uint64_t{1} << 30;

struct Snapshot {
  Memory memory;
  wire::X86ThreadState64 registers;  // the core's first thread
};

// Fails when the core has no thread or maps more than kMaxSnapshotBytes.
Expected<Snapshot> snapshot_from_core(const macho::CoreFile& core, std::string_view name);
Expected<Snapshot> load_snapshot(const std::string& path);

}  // namespace kdp::stub
