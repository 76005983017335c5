#include "kgm/file_memory.h"

#include "kgm/bounded_file.h"
#include "macho/layout.h"

namespace kdp::kgm {

Expected<std::unique_ptr<FileMemory>> FileMemory::open(const std::string& path) {
  KDP_TRY(Bytes file, read_regular_file(path, "kernel file"));
  return from_bytes(std::move(file), path);
}

Expected<std::unique_ptr<FileMemory>> FileMemory::from_bytes(Bytes file, std::string name) {
  std::unique_ptr<FileMemory> memory(new FileMemory(std::move(file), std::move(name)));
  ByteReader reader(memory->file_, memory->name_);
  KDP_TRY(macho::Slice slice, macho::select_x86_64_slice(reader));
  KDP_TRY(macho::MachOLayout layout, macho::read_layout(reader, slice));
  ByteReader in_slice(slice.bytes, memory->name_, slice.offset);
  std::vector<MappedSegment> segments;
  for (const macho::Segment& s : layout.segments) {
    // read_layout checked these ranges; the sub-reader checks them once more for free.
    if (s.filesize == 0) {
      segments.push_back({s.vmaddr, s.vmsize, {}});
      continue;
    }
    KDP_TRY(ByteReader data, in_slice.sub(s.fileoff, s.filesize, "segment " + s.name));
    segments.push_back({s.vmaddr, s.vmsize, data.data()});
  }
  memory->set_segments(std::move(segments));
  return memory;
}

}  // namespace kdp::kgm
