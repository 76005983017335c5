#include "tools/kdp-sim/snapshot.h"

#include "macho/mapped_file.h"

namespace kdp::stub {

Expected<Snapshot> snapshot_from_core(const macho::CoreFile& core, std::string_view name) {
  if (core.threads.empty())
    return malformed(std::string(name) + ": no LC_THREAD, so there are no registers to serve");
  uint64_t total = 0;
  for (const auto& segment : core.segments) {
    total += segment.vmsize;
    if (segment.vmsize > kMaxSnapshotBytes || total > kMaxSnapshotBytes)
      return Error(ErrorKind::kUsage, std::string(name) + ": segments map more than " +
                                          std::to_string(kMaxSnapshotBytes >> 20) + " MiB");
  }
  Snapshot snapshot{Memory{}, core.threads.front()};
  for (const auto& segment : core.segments) {
    auto mapped = snapshot.memory.map(segment.vmaddr, segment.vmsize, segment.data);
    if (!mapped) return std::move(mapped).error().context(name);
  }
  return snapshot;
}

Expected<Snapshot> load_snapshot(const std::string& path) {
  // Only a regular file, mapped, header checked first: `--core /dev/zero` was read until
  // std::bad_alloc aborted kdp-sim, and a 4 GiB file of zeros was read whole to find magic 0.
  KDP_TRY(macho::MappedFile file, macho::MappedFile::open(path, "core file"));
  KDP_TRY(macho::CoreFile core, macho::parse_core(file.bytes(), path));
  return snapshot_from_core(core, path);
}

}  // namespace kdp::stub
