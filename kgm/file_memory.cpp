#include "kgm/file_memory.h"

#include "macho/layout.h"

namespace kdp::kgm {

Expected<std::unique_ptr<FileMemory>> FileMemory::open(const std::string& path) {
  KDP_TRY(macho::MappedFile file, macho::MappedFile::open(path, "kernel file"));
  std::unique_ptr<FileMemory> memory(new FileMemory(std::move(file), path));
  KDP_TRY_STATUS(memory->map_segments());
  return memory;
}

Expected<std::unique_ptr<FileMemory>> FileMemory::from_bytes(Bytes file, std::string name) {
  std::unique_ptr<FileMemory> memory(new FileMemory(std::move(file), std::move(name)));
  KDP_TRY_STATUS(memory->map_segments());
  return memory;
}

ByteView FileMemory::file() const { return mapped_ ? mapped_->bytes() : ByteView(owned_); }

Status FileMemory::map_segments() {
  ByteReader reader(file(), name_);
  KDP_TRY(macho::Slice slice, macho::select_x86_64_slice(reader));
  KDP_TRY(macho::MachOLayout layout, macho::read_layout(reader, slice));
  ByteReader in_slice(slice.bytes, name_, slice.offset);
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
  set_segments(std::move(segments));
  return {};
}

}  // namespace kdp::kgm
