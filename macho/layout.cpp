// Rules enforced here (each has a malformed fixture in tests/macho/malformed_test.cpp):
//  * mach_header_64: magic 0xfeedfacf, cputype x86_64, filetype MH_EXECUTE (a kext: MH_KEXT_BUNDLE
//    or MH_BUNDLE), sizeofcmds inside the
//    file, ncmds small enough that every command can have its minimum 8 bytes;
//  * every load command: cmdsize >= 8, a multiple of 8, inside sizeofcmds;
//  * LC_SEGMENT_64: cmdsize holds nsects section_64s, fileoff+filesize inside the file, no vm
//    wrap-around, every section inside its segment (memory and, unless zero-fill, file);
//  * segments may not overlap each other, neither in the file nor in memory;
//  * LC_SYMTAB: symbol and string tables inside the file (n_strx is checked by read_symbols);
//  * LC_DYSYMTAB: its symbol ranges inside LC_SYMTAB's nsyms;
//  * LC_UUID: cmdsize 24; LC_UNIXTHREAD: states inside the command, x86_THREAD_STATE64 with count 42;
//  * at most one LC_SYMTAB, LC_DYSYMTAB, LC_UUID, LC_UNIXTHREAD; LC_SYMTAB is required.
#include "macho/layout.h"

#include <algorithm>

#include "macho/format.h"

namespace kdp::macho {
namespace {

struct DysymtabRanges {
  uint32_t ilocalsym = 0, nlocalsym = 0, iextdefsym = 0, nextdefsym = 0, iundefsym = 0,
           nundefsym = 0;
};

// A reader positioned over one load command, plus what errors need to name it.
struct Command {
  uint32_t index = 0;
  uint32_t cmd = 0;
  uint64_t offset = 0;  // absolute file offset
  ByteReader body;      // the whole command, cmd and cmdsize included
};

class LayoutReader {
 public:
  LayoutReader(const ByteReader& file, Slice slice, ImageKind kind)
      : file_name_(file.what()), slice_(slice), r_(slice.bytes, file.what(), slice.offset), kind_(kind) {}

  Expected<MachOLayout> read();

 private:
  Status read_header(uint32_t& sizeofcmds);
  Status read_commands(uint32_t sizeofcmds);
  Status read_command(Command& c);
  Status read_segment(Command& c);
  Status read_section(Command& c, const Segment& seg);
  Status read_symtab(Command& c);
  Status read_dysymtab(Command& c);
  Status read_uuid(Command& c);
  Status read_unixthread(Command& c);
  Status check_single_fixed(const Command& c, bool already_seen, uint64_t size) const;
  Status check_no_overlaps() const;
  Status check_dysymtab() const;

  Error file_error(const std::string& problem) const {
    return malformed(file_name_ + ": " + problem);
  }
  Error command_error(const Command& c, const std::string& problem) const {
    return file_error("load command " + std::to_string(c.index) + " (" + load_command_name(c.cmd) +
                      ") at offset " + hex(c.offset) + ": " + problem);
  }
  bool in_slice(uint64_t offset, uint64_t size) const {
    return offset <= slice_.bytes.size() && size <= slice_.bytes.size() - offset;
  }

  std::string file_name_;
  Slice slice_;
  ByteReader r_;
  ImageKind kind_;
  MachOLayout layout_;
  std::optional<DysymtabRanges> dysymtab_;
  bool seen_unixthread_ = false;
};

Expected<MachOLayout> LayoutReader::read() {
  layout_.slice = slice_;
  KDP_TRY_STATUS(read_header(layout_.sizeofcmds));
  KDP_TRY_STATUS(read_commands(layout_.sizeofcmds));
  if (!layout_.symtab)
    return Error(ErrorKind::kNotFound,
                 file_name_ + ": no LC_SYMTAB: the kernel file has no symbol table");
  KDP_TRY_STATUS(check_dysymtab());
  KDP_TRY_STATUS(check_no_overlaps());
  return std::move(layout_);
}

Status LayoutReader::read_header(uint32_t& sizeofcmds) {
  KDP_TRY(uint32_t magic, r_.u32("mach_header_64.magic"));
  if (magic != kMhMagic64)
    return file_error("slice at offset " + hex(slice_.offset) + " is not a 64-bit Mach-O (magic " +
                      hex(magic) + ")");
  KDP_TRY(uint32_t cputype, r_.u32("mach_header_64.cputype"));
  if (cputype != kCpuTypeX86_64)
    return Error(ErrorKind::kNotFound, file_name_ + ": Mach-O file for " + cpu_type_name(cputype) +
                                           "; kdpctl needs an x86_64 kernel");
  KDP_TRY(layout_.cpusubtype, r_.u32("mach_header_64.cpusubtype"));
  KDP_TRY(layout_.filetype, r_.u32("mach_header_64.filetype"));
  if (layout_.filetype == kMhDsym)
    return file_error("filetype MH_DSYM: this is a dSYM companion; load mach_kernel itself");
  if (kind_ == ImageKind::kKext && layout_.filetype != kMhKextBundle && layout_.filetype != kMhBundle)
    return file_error("filetype " + hex(layout_.filetype) + " is not MH_KEXT_BUNDLE or MH_BUNDLE (a kext)");
  if (kind_ == ImageKind::kKernel && layout_.filetype != kMhExecute)
    return file_error("filetype " + hex(layout_.filetype) + " is not MH_EXECUTE (a kernel)");
  KDP_TRY(layout_.ncmds, r_.u32("mach_header_64.ncmds"));
  KDP_TRY(sizeofcmds, r_.u32("mach_header_64.sizeofcmds"));
  KDP_TRY(layout_.flags, r_.u32("mach_header_64.flags"));
  KDP_TRY_STATUS(r_.skip(4, "mach_header_64.reserved"));
  if (!in_slice(kMachHeader64Size, sizeofcmds))
    return file_error("sizeofcmds " + hex(sizeofcmds) + " extends past the end of the file (" +
                      hex(slice_.bytes.size() - kMachHeader64Size) + " bytes after the header)");
  // Guards the loop below: a huge ncmds with tiny commands would otherwise spin for a long time.
  if (layout_.ncmds > sizeofcmds / 8)
    return file_error("ncmds " + std::to_string(layout_.ncmds) + " cannot fit in sizeofcmds " +
                      hex(sizeofcmds) + " (each load command needs at least 8 bytes)");
  return {};
}

Status LayoutReader::read_commands(uint32_t sizeofcmds) {
  uint64_t offset = kMachHeader64Size;
  const uint64_t end = kMachHeader64Size + sizeofcmds;
  for (uint32_t i = 0; i < layout_.ncmds; ++i) {
    Command c{i, 0, slice_.offset + offset, ByteReader(ByteView{}, file_name_)};
    if (end - offset < 8)
      return file_error("load command " + std::to_string(i) + " at offset " + hex(c.offset) +
                        ": lies past the end of the load commands (sizeofcmds " +
                        hex(sizeofcmds) + ")");
    ByteReader head = r_;
    KDP_TRY_STATUS(head.seek(offset, "load command"));
    KDP_TRY(c.cmd, head.u32("load_command.cmd"));
    KDP_TRY(uint32_t cmdsize, head.u32("load_command.cmdsize"));
    if (cmdsize < 8) return command_error(c, "cmdsize " + std::to_string(cmdsize) + " is below 8");
    if (cmdsize % 8 != 0)
      return command_error(c, "cmdsize " + hex(cmdsize) + " is not a multiple of 8");
    if (cmdsize > end - offset)
      return command_error(c, "cmdsize " + hex(cmdsize) + " extends past the end of the load commands (sizeofcmds " +
                                  hex(sizeofcmds) + ")");
    std::string what = file_name_ + ": load command " + std::to_string(i) + " (" +
                       load_command_name(c.cmd) + ")";
    c.body = ByteReader(slice_.bytes.subspan(offset, cmdsize), what, slice_.offset + offset);
    KDP_TRY_STATUS(read_command(c));
    offset += cmdsize;
  }
  return {};
}

Status LayoutReader::read_command(Command& c) {
  KDP_TRY_STATUS(c.body.skip(8, "cmd/cmdsize"));
  switch (c.cmd) {
    case kLcSegment64: return read_segment(c);
    case kLcSymtab: return read_symtab(c);
    case kLcDysymtab: return read_dysymtab(c);
    case kLcUuid: return read_uuid(c);
    case kLcUnixThread: return read_unixthread(c);
    default: return {};  // other commands do not matter to a kernel debugger
  }
}

Status LayoutReader::read_segment(Command& c) {
  Segment seg;
  KDP_TRY(seg.name, c.body.fixed_string(16, "segname"));
  KDP_TRY(seg.vmaddr, c.body.u64("vmaddr"));
  KDP_TRY(seg.vmsize, c.body.u64("vmsize"));
  KDP_TRY(seg.fileoff, c.body.u64("fileoff"));
  KDP_TRY(seg.filesize, c.body.u64("filesize"));
  KDP_TRY(seg.maxprot, c.body.u32("maxprot"));
  KDP_TRY(seg.initprot, c.body.u32("initprot"));
  KDP_TRY(seg.section_count, c.body.u32("nsects"));
  KDP_TRY(seg.flags, c.body.u32("flags"));
  uint64_t needed = kSegmentCommand64Size + uint64_t{seg.section_count} * kSection64Size;
  if (c.body.size() < needed)
    return command_error(c, "segment " + seg.name + ": cmdsize " + hex(c.body.size()) +
                                " is too small for " + std::to_string(seg.section_count) +
                                " sections (needs " + hex(needed) + ")");
  if (!in_slice(seg.fileoff, seg.filesize))
    return command_error(c, "segment " + seg.name + " file range [" + hex(seg.fileoff) + ", +" +
                                hex(seg.filesize) + ") extends past the end of the file (size " +
                                hex(slice_.bytes.size()) + ")");
  if (seg.vmaddr + seg.vmsize < seg.vmaddr)
    return command_error(c, "segment " + seg.name + " vm range wraps around the address space");
  seg.first_section = static_cast<uint32_t>(layout_.sections.size());
  for (uint32_t i = 0; i < seg.section_count; ++i) KDP_TRY_STATUS(read_section(c, seg));
  layout_.segments.push_back(std::move(seg));
  return {};
}

Status LayoutReader::read_section(Command& c, const Segment& seg) {
  Section s;
  KDP_TRY(s.name, c.body.fixed_string(16, "sectname"));
  KDP_TRY(s.segment_name, c.body.fixed_string(16, "section segname"));
  KDP_TRY(s.address, c.body.u64("section addr"));
  KDP_TRY(s.size, c.body.u64("section size"));
  KDP_TRY(s.offset, c.body.u32("section offset"));
  KDP_TRY_STATUS(c.body.skip(12, "section align/reloff/nreloc"));
  KDP_TRY(s.flags, c.body.u32("section flags"));
  KDP_TRY_STATUS(c.body.skip(12, "section reserved1-3"));
  std::string label = "section " + s.segment_name + "," + s.name;
  if (s.address < seg.vmaddr || s.size > seg.vmsize || s.address - seg.vmaddr > seg.vmsize - s.size)
    return command_error(c, label + " [" + hex(s.address) + ", +" + hex(s.size) +
                                ") lies outside its segment " + seg.name + " [" + hex(seg.vmaddr) +
                                ", +" + hex(seg.vmsize) + ")");
  bool in_file = s.offset >= seg.fileoff && s.size <= seg.filesize &&
                 s.offset - seg.fileoff <= seg.filesize - s.size;
  if (!s.zero_fill() && s.size != 0 && !in_file)
    return command_error(c, label + " file range [" + hex(s.offset) + ", +" + hex(s.size) +
                                ") lies outside its segment's file range [" + hex(seg.fileoff) +
                                ", +" + hex(seg.filesize) + ")");
  layout_.sections.push_back(std::move(s));
  return {};
}

// LC_SYMTAB, LC_DYSYMTAB, LC_UUID: at most one each, exactly the size of their struct.
Status LayoutReader::check_single_fixed(const Command& c, bool already_seen, uint64_t size) const {
  if (already_seen) return command_error(c, "second " + load_command_name(c.cmd));
  if (c.body.size() != size)
    return command_error(c, "cmdsize " + hex(c.body.size()) + " is not " + hex(size));
  return {};
}

Status LayoutReader::read_symtab(Command& c) {
  KDP_TRY_STATUS(check_single_fixed(c, layout_.symtab.has_value(), kSymtabCommandSize));
  SymtabInfo t;
  KDP_TRY(t.symoff, c.body.u32("symoff"));
  KDP_TRY(t.nsyms, c.body.u32("nsyms"));
  KDP_TRY(t.stroff, c.body.u32("stroff"));
  KDP_TRY(t.strsize, c.body.u32("strsize"));
  uint64_t table_size = uint64_t{t.nsyms} * kNlist64Size;
  if (!in_slice(t.symoff, table_size))
    return command_error(c, "symbol table [symoff " + hex(t.symoff) + ", " +
                                std::to_string(t.nsyms) + " nlist_64 = " + hex(table_size) +
                                " bytes) extends past the end of the file (size " +
                                hex(slice_.bytes.size()) + ")");
  if (!in_slice(t.stroff, t.strsize))
    return command_error(c, "string table [stroff " + hex(t.stroff) + ", strsize " +
                                hex(t.strsize) + ") extends past the end of the file (size " +
                                hex(slice_.bytes.size()) + ")");
  layout_.symtab = t;
  return {};
}

Status LayoutReader::read_dysymtab(Command& c) {
  KDP_TRY_STATUS(check_single_fixed(c, dysymtab_.has_value(), kDysymtabCommandSize));
  DysymtabRanges d;
  KDP_TRY(d.ilocalsym, c.body.u32("ilocalsym"));
  KDP_TRY(d.nlocalsym, c.body.u32("nlocalsym"));
  KDP_TRY(d.iextdefsym, c.body.u32("iextdefsym"));
  KDP_TRY(d.nextdefsym, c.body.u32("nextdefsym"));
  KDP_TRY(d.iundefsym, c.body.u32("iundefsym"));
  KDP_TRY(d.nundefsym, c.body.u32("nundefsym"));
  dysymtab_ = d;
  return {};
}

Status LayoutReader::check_dysymtab() const {
  if (!dysymtab_) return {};
  const uint64_t nsyms = layout_.symtab->nsyms;
  auto check = [&](const char* group, uint64_t first, uint64_t count) -> Status {
    if (first <= nsyms && count <= nsyms - first) return {};
    return file_error(std::string("LC_DYSYMTAB ") + group + " symbols [" + std::to_string(first) +
                      ", +" + std::to_string(count) + ") exceed LC_SYMTAB nsyms " +
                      std::to_string(nsyms));
  };
  KDP_TRY_STATUS(check("local", dysymtab_->ilocalsym, dysymtab_->nlocalsym));
  KDP_TRY_STATUS(check("external", dysymtab_->iextdefsym, dysymtab_->nextdefsym));
  return check("undefined", dysymtab_->iundefsym, dysymtab_->nundefsym);
}

Status LayoutReader::read_uuid(Command& c) {
  KDP_TRY_STATUS(check_single_fixed(c, layout_.uuid.has_value(), kUuidCommandSize));
  KDP_TRY(ByteView raw, c.body.bytes(16, "uuid"));
  Uuid uuid;
  std::copy(raw.begin(), raw.end(), uuid.begin());
  layout_.uuid = uuid;
  return {};
}

// LIEF 0.9 misreads the entry point of kernel-style files, so rip is taken from the state here.
Status LayoutReader::read_unixthread(Command& c) {
  if (seen_unixthread_) return command_error(c, "second LC_UNIXTHREAD");
  seen_unixthread_ = true;
  while (!c.body.at_end()) {
    KDP_TRY(uint32_t flavor, c.body.u32("thread state flavor"));
    KDP_TRY(uint32_t count, c.body.u32("thread state count"));
    KDP_TRY(ByteView state, c.body.bytes(uint64_t{count} * 4, "thread state"));
    if (flavor != kX86ThreadState64Flavor) continue;
    if (count != kX86ThreadState64Count)
      return command_error(c, "x86_THREAD_STATE64 count " + std::to_string(count) +
                                  " is not 42");
    ByteReader regs(state, c.body.what(), c.body.absolute_offset() - state.size());
    KDP_TRY_STATUS(regs.skip(kX86ThreadState64RipOffset, "general registers"));
    KDP_TRY(uint64_t rip, regs.u64("rip"));
    layout_.entry_point = rip;
  }
  if (!layout_.entry_point)
    return command_error(c, "no x86_THREAD_STATE64 (flavor 4) state");
  return {};
}

// Two segments claiming the same bytes (in the file or in memory) make every address ambiguous.
Status LayoutReader::check_no_overlaps() const {
  struct Range {
    uint64_t start, size;
    const Segment* seg;
  };
  auto check = [&](std::vector<Range> ranges, const char* where) -> Status {
    std::sort(ranges.begin(), ranges.end(),
              [](const Range& a, const Range& b) { return a.start < b.start; });
    for (size_t i = 1; i < ranges.size(); ++i) {
      const Range& prev = ranges[i - 1];
      if (ranges[i].start - prev.start >= prev.size) continue;
      return file_error("segment " + ranges[i].seg->name + " [" + hex(ranges[i].start) + ", +" +
                        hex(ranges[i].size) + ") overlaps segment " + prev.seg->name + " [" +
                        hex(prev.start) + ", +" + hex(prev.size) + ") " + where);
    }
    return {};
  };
  std::vector<Range> in_file, in_memory;
  for (const Segment& s : layout_.segments) {
    if (s.filesize != 0) in_file.push_back({s.fileoff, s.filesize, &s});
    if (s.vmsize != 0) in_memory.push_back({s.vmaddr, s.vmsize, &s});
  }
  KDP_TRY_STATUS(check(std::move(in_file), "in the file"));
  return check(std::move(in_memory), "in memory");
}

}  // namespace

bool Section::zero_fill() const { return is_zero_fill(flags); }

const Segment* MachOLayout::find_segment(std::string_view name) const {
  for (const Segment& s : segments)
    if (s.name == name) return &s;
  return nullptr;
}

Expected<MachOLayout> read_layout(const ByteReader& file, Slice slice, ImageKind kind) {
  return LayoutReader(file, slice, kind).read();
}

std::string format_uuid(const Uuid& uuid) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string s;
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kDigits[uuid[i] >> 4]);
    s.push_back(kDigits[uuid[i] & 0xf]);
  }
  return s;
}

std::optional<Uuid> parse_uuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid uuid{};
  size_t nibble = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return std::nullopt;
      continue;
    }
    int v = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (v < 0) return std::nullopt;
    uuid[nibble / 2] = static_cast<uint8_t>(uuid[nibble / 2] << 4 | v);
    ++nibble;
  }
  return uuid;
}

}  // namespace kdp::macho
