#include <algorithm>
#include <fstream>

#include "macho/core/core_file.h"
#include "macho/core/core_layout.h"

namespace kdp::macho {
namespace {

uint64_t align_up(uint64_t v, uint64_t alignment) { return (v + alignment - 1) / alignment * alignment; }

Status check_segments(const CoreFile& core) {
  for (const CoreSegment& s : core.segments) {
    if (s.name.size() > detail::kSegNameSize)
      return usage_error("segment name '" + s.name + "' is longer than 16 characters");
    if (s.data.size() > s.vmsize)
      return usage_error("segment " + hex(s.vmaddr) + ": " + std::to_string(s.data.size()) +
                         " bytes of data exceed its vmsize " + hex(s.vmsize));
  }
  return detail::check_no_vm_overlap(core.segments, "core");
}

void write_segment_command(ByteWriter& w, const CoreSegment& s, uint64_t fileoff) {
  w.u32(kLcSegment64);
  w.u32(detail::kSegmentCommandSize);
  w.fixed_string(s.name, detail::kSegNameSize);
  w.u64(s.vmaddr);
  w.u64(s.vmsize);
  w.u64(s.data.empty() ? 0 : fileoff);
  w.u64(s.data.size());
  w.u32(s.maxprot);
  w.u32(s.initprot);
  w.u32(0);  // nsects
  w.u32(0);  // flags
}

void write_thread_command(ByteWriter& w, const wire::X86ThreadState64& state) {
  w.u32(kLcThread);
  w.u32(detail::kThreadCommandSize);
  w.u32(kX86ThreadState64Flavor);
  w.u32(kX86ThreadState64Count);
  w.bytes(state.encode());
}

}  // namespace

Expected<Bytes> encode_core(const CoreFile& core) {
  KDP_TRY_STATUS(check_segments(core));
  uint64_t sizeofcmds = core.segments.size() * detail::kSegmentCommandSize +
                        core.threads.size() * detail::kThreadCommandSize;
  ByteWriter w;
  w.u32(kMhMagic64);
  w.u32(core.cpu_type);
  w.u32(core.cpu_subtype);
  w.u32(kMhCore);
  w.u32(static_cast<uint32_t>(core.segments.size() + core.threads.size()));
  w.u32(static_cast<uint32_t>(sizeofcmds));
  w.u32(0);  // flags
  w.u32(0);  // reserved
  // Data starts on the page after the load commands; each segment starts on a page boundary.
  std::vector<uint64_t> offsets;
  uint64_t next = align_up(detail::kHeaderSize + sizeofcmds, detail::kFilePageSize);
  for (const CoreSegment& s : core.segments) {
    offsets.push_back(next);
    next = align_up(next + s.data.size(), detail::kFilePageSize);
  }
  for (size_t i = 0; i < core.segments.size(); ++i) write_segment_command(w, core.segments[i], offsets[i]);
  for (const auto& thread : core.threads) write_thread_command(w, thread);
  for (size_t i = 0; i < core.segments.size(); ++i) {
    if (core.segments[i].data.empty()) continue;
    w.zeros(offsets[i] - w.size());
    w.bytes(core.segments[i].data);
  }
  return std::move(w).take();
}

Status write_core_file(const CoreFile& core, const std::string& path) {
  KDP_TRY(Bytes image, encode_core(core));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Error(ErrorKind::kIo, path + ": cannot open for writing");
  out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  if (!out.flush()) return Error(ErrorKind::kIo, path + ": write failed");
  return {};
}

}  // namespace kdp::macho
