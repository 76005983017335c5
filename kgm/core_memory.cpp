#include "kgm/core_memory.h"

#include "kgm/bounded_file.h"

namespace kdp::kgm {

Expected<std::unique_ptr<CoreMemory>> CoreMemory::open(const std::string& path) {
  KDP_TRY(Bytes file, read_regular_file(path, "core file"));
  KDP_TRY(macho::CoreFile core, macho::parse_core(file, path));
  return std::make_unique<CoreMemory>(std::move(core), path);
}

CoreMemory::CoreMemory(macho::CoreFile core, std::string name) : core_(std::move(core)), name_(std::move(name)) {
  std::vector<MappedSegment> segments;
  for (const macho::CoreSegment& s : core_.segments) segments.push_back({s.vmaddr, s.vmsize, s.data});
  set_segments(std::move(segments));
}

}  // namespace kdp::kgm
