#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>

#include "macho/core/core_file.h"
#include "macho/core/core_layout.h"

namespace kdp::macho {
namespace detail {

Status check_no_vm_overlap(const std::vector<CoreSegment>& segments, std::string_view name) {
  std::vector<const CoreSegment*> sorted;
  for (const CoreSegment& s : segments)
    if (s.vmsize != 0) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->vmaddr < b->vmaddr; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    const CoreSegment& a = *sorted[i - 1];
    const CoreSegment& b = *sorted[i];
    if (a.vmaddr + (a.vmsize - 1) >= b.vmaddr)  // inclusive end: no overflow at 2^64
      return malformed(std::string(name) + ": segments [" + hex(a.vmaddr) + ", +" + hex(a.vmsize) +
                       ") and [" + hex(b.vmaddr) + ", +" + hex(b.vmsize) + ") overlap in memory");
  }
  return {};
}

}  // namespace detail

namespace {

using detail::kHeaderSize;

// File ranges of segment data, for the no-overlap check.
struct FileRange {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t vmaddr = 0;
};

class CoreParser {
 public:
  CoreParser(ByteView file, std::string_view name) : file_(file), name_(name) {}

  Expected<CoreFile> parse() {
    ByteReader r(file_, name_);
    KDP_TRY_STATUS(parse_header(r));
    KDP_TRY(ByteReader commands, r.sub(kHeaderSize, sizeofcmds_, "load commands (sizeofcmds)"));
    for (uint32_t i = 0; i < ncmds_; ++i) KDP_TRY_STATUS(parse_command(commands, i));
    if (!commands.at_end())
      return fail("the " + std::to_string(ncmds_) + " load commands use " +
                  std::to_string(commands.offset()) + " bytes but sizeofcmds is " +
                  std::to_string(sizeofcmds_));
    KDP_TRY_STATUS(detail::check_no_vm_overlap(core_.segments, name_));
    KDP_TRY_STATUS(check_no_file_overlap());
    return std::move(core_);
  }

 private:
  Error fail(const std::string& why) const { return malformed(name_ + ": " + why); }
  Error fail_command(uint32_t index, uint64_t offset, const std::string& what, const std::string& why) const {
    return fail("load command " + std::to_string(index) + " (" + what + ") at offset " + hex(offset) + ": " + why);
  }

  Status parse_header(ByteReader& r) {
    KDP_TRY(uint32_t magic, r.u32("magic"));
    if (magic == 0xcffaedfe) return fail("big-endian Mach-O files are not supported");
    if (magic == 0xfeedface) return fail("32-bit Mach-O files are not supported (want MH_MAGIC_64)");
    if (magic != kMhMagic64) return fail("not a Mach-O file (magic " + hex(magic) + ")");
    KDP_TRY(core_.cpu_type, r.u32("cputype"));
    KDP_TRY(core_.cpu_subtype, r.u32("cpusubtype"));
    KDP_TRY(uint32_t filetype, r.u32("filetype"));
    KDP_TRY(ncmds_, r.u32("ncmds"));
    KDP_TRY(sizeofcmds_, r.u32("sizeofcmds"));
    KDP_TRY_STATUS(r.skip(8, "flags and reserved"));
    if (core_.cpu_type != kCpuTypeX86_64)
      return fail("cputype " + hex(core_.cpu_type) + " is not x86_64 (" + hex(kCpuTypeX86_64) + ")");
    if (filetype != kMhCore) return fail("filetype " + std::to_string(filetype) + " is not MH_CORE (4)");
    return {};
  }

  Status parse_command(ByteReader& commands, uint32_t index) {
    uint64_t at = commands.absolute_offset();
    KDP_TRY(uint32_t cmd, commands.u32("cmd"));
    KDP_TRY(uint32_t cmdsize, commands.u32("cmdsize"));
    // A cmdsize below 8 would make no progress; one that is not a multiple of 4 misaligns the next.
    if (cmdsize < 8 || cmdsize % 4 != 0)
      return fail_command(index, at, hex(cmd), "cmdsize " + std::to_string(cmdsize) +
                                                   " is not a multiple of 4 of at least 8");
    if (cmdsize - 8 > commands.remaining())
      return fail_command(index, at, hex(cmd), "cmdsize " + std::to_string(cmdsize) +
                                                   " extends past sizeofcmds " + std::to_string(sizeofcmds_));
    KDP_TRY(ByteReader body, commands.sub(commands.offset(), cmdsize - 8, "load command body"));
    KDP_TRY_STATUS(commands.skip(cmdsize - 8, "load command body"));
    if (cmd == kLcSegment64) return parse_segment(body, index, at, cmdsize);
    if (cmd == kLcThread || cmd == kLcUnixThread) return parse_thread(body, index, at);
    return {};  // LC_NOTE, LC_UUID, ...: not needed to serve memory
  }

  Status parse_segment(ByteReader& r, uint32_t index, uint64_t at, uint32_t cmdsize) {
    CoreSegment s;
    KDP_TRY(s.name, r.fixed_string(detail::kSegNameSize, "segname"));
    KDP_TRY(s.vmaddr, r.u64("vmaddr"));
    KDP_TRY(s.vmsize, r.u64("vmsize"));
    KDP_TRY(uint64_t fileoff, r.u64("fileoff"));
    KDP_TRY(uint64_t filesize, r.u64("filesize"));
    KDP_TRY(s.maxprot, r.u32("maxprot"));
    KDP_TRY(s.initprot, r.u32("initprot"));
    KDP_TRY(uint32_t nsects, r.u32("nsects"));
    KDP_TRY_STATUS(r.skip(4, "flags"));
    auto where = [&](const std::string& why) { return fail_command(index, at, "LC_SEGMENT_64", why); };
    if (uint64_t{cmdsize} != detail::kSegmentCommandSize + uint64_t{nsects} * detail::kSectionSize)
      return where("cmdsize " + std::to_string(cmdsize) + " does not hold " + std::to_string(nsects) + " sections");
    if (filesize > s.vmsize) return where("filesize " + hex(filesize) + " exceeds vmsize " + hex(s.vmsize));
    if (s.vmsize != 0 && s.vmaddr + (s.vmsize - 1) < s.vmaddr)
      return where("vmaddr " + hex(s.vmaddr) + " + vmsize " + hex(s.vmsize) + " wraps past 2^64");
    KDP_TRY_STATUS(take_data(s, fileoff, filesize, where));
    core_.segments.push_back(std::move(s));
    return {};
  }

  template <class Where>
  Status take_data(CoreSegment& s, uint64_t fileoff, uint64_t filesize, const Where& where) {
    if (filesize == 0) return {};
    if (fileoff > file_.size() || filesize > file_.size() - fileoff)
      return where("data [" + hex(fileoff) + ", +" + hex(filesize) + ") extends past the end of the file (size " +
                   hex(file_.size()) + ")");
    if (fileoff < kHeaderSize + sizeofcmds_)
      return where("data at " + hex(fileoff) + " overlaps the header and load commands");
    auto data = file_.subspan(static_cast<size_t>(fileoff), static_cast<size_t>(filesize));
    s.data.assign(data.begin(), data.end());
    file_ranges_.push_back(FileRange{fileoff, filesize, s.vmaddr});
    return {};
  }

  Status parse_thread(ByteReader& r, uint32_t index, uint64_t at) {
    auto where = [&](const std::string& why) { return fail_command(index, at, "LC_THREAD", why); };
    std::optional<wire::X86ThreadState64> state;
    while (!r.at_end()) {
      KDP_TRY(uint32_t flavor, r.u32("flavor"));
      KDP_TRY(uint32_t count, r.u32("count"));
      KDP_TRY(ByteView words, r.bytes(uint64_t{count} * 4, "thread state"));
      if (flavor != kX86ThreadState64Flavor) continue;  // float/exception state: not needed
      if (count != kX86ThreadState64Count)
        return where("x86_THREAD_STATE64 count " + std::to_string(count) + " is not 42");
      if (state) return where("more than one x86_THREAD_STATE64");
      KDP_TRY(state, wire::X86ThreadState64::decode(words));
    }
    if (!state) return where("no x86_THREAD_STATE64 (flavor 4)");
    core_.threads.push_back(*state);
    return {};
  }

  Status check_no_file_overlap() {
    std::sort(file_ranges_.begin(), file_ranges_.end(),
              [](const FileRange& a, const FileRange& b) { return a.offset < b.offset; });
    for (size_t i = 1; i < file_ranges_.size(); ++i) {
      const FileRange& a = file_ranges_[i - 1];
      const FileRange& b = file_ranges_[i];
      if (a.offset + a.size > b.offset)
        return fail("the data of segments " + hex(a.vmaddr) + " and " + hex(b.vmaddr) +
                    " overlap in the file at " + hex(b.offset));
    }
    return {};
  }

  ByteView file_;
  std::string name_;
  uint32_t ncmds_ = 0;
  uint32_t sizeofcmds_ = 0;
  CoreFile core_;
  std::vector<FileRange> file_ranges_;
};

}  // namespace

Expected<CoreFile> parse_core(ByteView file, std::string_view name) { return CoreParser(file, name).parse(); }

Expected<CoreFile> read_core_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorKind::kNotFound, path + ": cannot open core file");
  Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorKind::kIo, path + ": read failed");
  return parse_core(bytes, path);
}

}  // namespace kdp::macho
