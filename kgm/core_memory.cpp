#include "kgm/core_memory.h"

#include "macho/mapped_file.h"

namespace kdp::kgm {

Expected<std::unique_ptr<CoreMemory>> CoreMemory::open(const std::string& path) {
  // Mapped, so a file of the wrong kind fails at its header, whatever its size.
  KDP_TRY(macho::MappedFile file, macho::MappedFile::open(path, "core file"));
  KDP_TRY(macho::CoreFile core, macho::parse_core(file.bytes(), path));
  return std::make_unique<CoreMemory>(std::move(core), path);
}

CoreMemory::CoreMemory(macho::CoreFile core, std::string name) : core_(std::move(core)), name_(std::move(name)) {
  std::vector<MappedSegment> segments;
  for (const macho::CoreSegment& s : core_.segments) segments.push_back({s.vmaddr, s.vmsize, s.data});
  set_segments(std::move(segments));
}

}  // namespace kdp::kgm
