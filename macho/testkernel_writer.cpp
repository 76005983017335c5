// The test-kernel writer: spec -> symbols (with fillers and STABS) -> file layout -> bytes.
// Written for clarity over speed, but a 22,545-symbol kernel still takes only milliseconds.
#include "macho/testkernel_writer.h"

#include <algorithm>
#include <cstdio>
#include <tuple>
#include <map>
#include <optional>
#include <unordered_set>

namespace kdp::macho {
namespace {

constexpr uint64_t kPage = 0x1000;
constexpr uint64_t kUnixThreadCommandSize = 16 + 168;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

Error spec_error(const std::string& problem) { return usage_error("test kernel spec: " + problem); }

struct SectionRef {
  const SegmentSpec* segment;
  const SectionSpec* section;
  uint8_t index;  // 1-based n_sect
};

std::vector<SectionRef> number_sections(const TestKernelSpec& spec) {
  std::vector<SectionRef> out;
  for (const SegmentSpec& seg : spec.segments)
    for (const SectionSpec& sect : seg.sections)
      out.push_back({&seg, &sect, static_cast<uint8_t>(out.size() + 1)});
  return out;
}

std::optional<SectionRef> section_for(const std::vector<SectionRef>& sections, uint64_t address) {
  for (const SectionRef& s : sections)
    if (address - s.section->address < s.section->size) return s;
  return std::nullopt;
}

// ---- code ----------------------------------------------------------------------------------

Expected<PlacedFunction> assemble(const FunctionSpec& f,
                                  const std::map<std::string, uint64_t>& targets) {
  PlacedFunction out{f.name, f.address, {0x55, 0x48, 0x89, 0xe5}, {}, std::nullopt};
  for (const std::string& callee : f.calls) {
    auto it = targets.find(callee);
    if (it == targets.end()) return spec_error(f.name + " calls unknown symbol " + callee);
    uint64_t next = f.address + out.code.size() + 5;
    int64_t rel = static_cast<int64_t>(it->second - next);
    if (rel < INT32_MIN || rel > INT32_MAX) return spec_error(f.name + ": call out of rel32 range");
    ByteWriter w;
    w.u8(0xe8);
    w.u32(static_cast<uint32_t>(rel));
    out.code.insert(out.code.end(), w.data().begin(), w.data().end());
    out.return_addresses.push_back(next);
  }
  if (f.trap) {
    out.trap_address = f.address + out.code.size();
    out.code.push_back(0xcc);
  }
  out.code.insert(out.code.end(), {0x5d, 0xc3});  // pop rbp; ret
  return out;
}

// ---- symbols -------------------------------------------------------------------------------

struct WrittenSymbol {
  std::string name;
  uint64_t address;
  uint8_t type, section;
  uint16_t desc;
};

class SymbolBuilder {
 public:
  SymbolBuilder(const TestKernelSpec& spec, const std::vector<SectionRef>& sections)
      : spec_(spec), sections_(sections) {}

  Expected<std::vector<WrittenSymbol>> build(const std::vector<PlacedFunction>& functions);

 private:
  Status add(const SymbolSpec& s);
  Status add_fillers(const std::vector<PlacedFunction>& functions);
  void add_stabs();

  const TestKernelSpec& spec_;
  const std::vector<SectionRef>& sections_;
  std::vector<WrittenSymbol> symbols_;
  std::vector<WrittenSymbol> stabs_;
};

Status SymbolBuilder::add(const SymbolSpec& s) {
  uint8_t sect = s.section;
  if ((s.type & kNTypeMask) == kNSect && sect == 0) {
    auto ref = section_for(sections_, s.address);
    if (!ref) return spec_error("symbol " + s.name + " at " + hex(s.address) + " is in no section");
    sect = ref->index;
  }
  symbols_.push_back({s.name, s.address, s.type, sect, s.desc});
  return {};
}

// Spreads synthetic symbols over the sections in proportion to their size (as real symbols are:
// most of them in __text), never inside a function's code.
Status SymbolBuilder::add_fillers(const std::vector<PlacedFunction>& functions) {
  if (spec_.total_symbols <= symbols_.size()) return {};
  const size_t wanted = spec_.total_symbols - symbols_.size();
  std::vector<size_t> shares(sections_.size(), 0);
  uint64_t total_size = 0;
  size_t biggest = 0;
  for (size_t i = 0; i < sections_.size(); ++i) {
    total_size += sections_[i].section->size;
    if (sections_[i].section->size > sections_[biggest].section->size) biggest = i;
  }
  size_t assigned = 0;
  for (size_t i = 0; i < sections_.size(); ++i) {
    shares[i] = static_cast<size_t>(static_cast<double>(wanted) * sections_[i].section->size / total_size);
    assigned += shares[i];
  }
  shares[biggest] += wanted - assigned;
  auto inside_function = [&](uint64_t a) {
    return std::any_of(functions.begin(), functions.end(),
                       [&](const PlacedFunction& f) { return a - f.address < f.code.size(); });
  };
  size_t made = 0, carried = 0;
  for (size_t i = 0; i < sections_.size(); ++i) {
    const SectionSpec& sect = *sections_[i].section;
    size_t share = shares[i] + carried;
    uint64_t step = std::max<uint64_t>(16, (sect.size / (share + 1)) & ~uint64_t{15});
    for (uint64_t a = sect.address + step; share > 0 && a < sect.address + sect.size; a += step) {
      if (inside_function(a)) continue;
      char name[32];
      std::snprintf(name, sizeof name, "_kdpctl_filler_%05zu", made++);
      uint8_t type = (made % 2 == 0) ? (kNSect | kNExt) : kNSect;
      symbols_.push_back({name, a, type, sections_[i].index, 0});
      --share;
    }
    carried = share;
  }
  if (carried != 0)
    return spec_error("no room for " + std::to_string(carried) + " more filler symbols");
  return {};
}

void SymbolBuilder::add_stabs() {
  if (symbols_.empty()) return;
  for (size_t i = 0; i < spec_.stab_entries; ++i) {
    if (i % 2 == 0) {
      stabs_.push_back({"/private/var/tmp/xnu/xnu-1699.24.23~1/RELEASE_X86_64/obj" +
                            std::to_string(i) + ".o",
                        0, kNOso, 0, 1});
    } else {
      const WrittenSymbol& target = symbols_[i % symbols_.size()];
      stabs_.push_back({target.name, target.address, kNFun, target.section, 0});
    }
  }
}

Expected<std::vector<WrittenSymbol>> SymbolBuilder::build(
    const std::vector<PlacedFunction>& functions) {
  std::unordered_set<std::string> named;
  for (const SymbolSpec& s : spec_.symbols) {
    KDP_TRY_STATUS(add(s));
    named.insert(s.name);
  }
  for (const PlacedFunction& f : functions)
    if (!named.count(f.name)) KDP_TRY_STATUS(add(SymbolSpec{f.name, f.address}));
  KDP_TRY_STATUS(add_fillers(functions));
  add_stabs();
  // ld's order, which LC_DYSYMTAB describes: locals (STABS first), then external definitions.
  std::stable_partition(symbols_.begin(), symbols_.end(),
                        [](const WrittenSymbol& s) { return (s.type & kNExt) == 0; });
  stabs_.insert(stabs_.end(), symbols_.begin(), symbols_.end());
  return std::move(stabs_);
}

// ---- file ----------------------------------------------------------------------------------

struct PlannedSegment {
  SegmentSpec spec;
  uint64_t fileoff = 0, filesize = 0;
};

uint64_t file_extent(const SegmentSpec& seg) {
  if (seg.sections.empty()) return seg.vmsize;
  uint64_t end = 0;
  for (const SectionSpec& s : seg.sections)
    if (!is_zero_fill(s.flags) && s.size != 0) end = std::max(end, s.address + s.size - seg.vmaddr);
  return std::min(align_up(end, kPage), seg.vmsize);
}

class FileWriter {
 public:
  FileWriter(const TestKernelSpec& spec, std::vector<WrittenSymbol> symbols,
             std::vector<PlacedFunction> functions)
      : spec_(spec), symbols_(std::move(symbols)), functions_(std::move(functions)) {}

  Expected<TestKernel> write();

 private:
  Status plan_segments();
  void build_linkedit();
  Status fill_memory();
  Status place_section_contents();
  Status place(uint64_t address, ByteView bytes, const std::string& what);
  void write_commands(ByteWriter& w);
  void write_segment_command(ByteWriter& w, const PlannedSegment& seg);
  uint64_t commands_size() const;
  std::optional<uint64_t> symbol_address(const std::string& name) const;

  const TestKernelSpec& spec_;
  std::vector<WrittenSymbol> symbols_;
  std::vector<PlacedFunction> functions_;
  std::vector<PlannedSegment> segments_;
  std::vector<Bytes> contents_;  // per segment, filesize bytes
  Bytes nlists_, strings_;
  uint32_t nlocal_ = 0;
  TestKernel out_;
};

uint64_t FileWriter::commands_size() const {
  uint64_t size = kSymtabCommandSize + kDysymtabCommandSize + kUuidCommandSize + kUnixThreadCommandSize;
  for (const SegmentSpec& s : spec_.segments) size += kSegmentCommand64Size + s.sections.size() * kSection64Size;
  return size + kSegmentCommand64Size;  // __LINKEDIT
}

Status FileWriter::plan_segments() {
  if (spec_.segments.empty()) return spec_error("no segments");
  for (const SegmentSpec& seg : spec_.segments)
    for (const SectionSpec& s : seg.sections)
      if (s.address < seg.vmaddr || s.address + s.size > seg.vmaddr + seg.vmsize)
        return spec_error("section " + seg.name + "," + s.name + " lies outside its segment");
  uint64_t header_end = kMachHeader64Size + commands_size();
  uint64_t offset = 0, top = 0;
  for (const SegmentSpec& seg : spec_.segments) {
    PlannedSegment p{seg, align_up(offset, kPage), file_extent(seg)};
    if (&seg == &spec_.segments.front()) {
      p.fileoff = 0;
      for (const SectionSpec& s : seg.sections)
        if (s.size != 0 && s.address - seg.vmaddr < header_end)
          return spec_error("load commands (" + hex(header_end) + " bytes) overlap section " + s.name);
    }
    offset = p.fileoff + p.filesize;
    top = std::max(top, seg.vmaddr + seg.vmsize);
    segments_.push_back(std::move(p));
    contents_.emplace_back(segments_.back().filesize, 0);
  }
  build_linkedit();
  uint64_t linkedit_size = nlists_.size() + strings_.size();
  PlannedSegment linkedit{{"__LINKEDIT", align_up(top, kPage), align_up(linkedit_size, kPage), {}},
                          align_up(offset, kPage), linkedit_size};
  out_.symoff = linkedit.fileoff;
  out_.stroff = linkedit.fileoff + nlists_.size();
  segments_.push_back(std::move(linkedit));
  return {};
}

void FileWriter::build_linkedit() {
  ByteWriter strings, nlists;
  strings.u8(' ');  // ld starts the string pool with " \0": index 0 stays the empty name
  strings.u8(0);
  for (const WrittenSymbol& s : symbols_) {
    nlists.u32(static_cast<uint32_t>(strings.size()));
    strings.c_string(s.name);
    nlists.u8(s.type);
    nlists.u8(s.section);
    nlists.u16(s.desc);
    nlists.u64(s.address);
    if ((s.type & kNExt) == 0) ++nlocal_;
  }
  strings.zeros(align_up(strings.size(), 8) - strings.size());
  nlists_ = std::move(nlists).take();
  strings_ = std::move(strings).take();
  out_.nsyms = symbols_.size();
}

std::optional<uint64_t> FileWriter::symbol_address(const std::string& name) const {
  for (const WrittenSymbol& s : symbols_)
    if (s.name == name && (s.type & kNStab) == 0) return s.address;
  return std::nullopt;
}

Status FileWriter::place(uint64_t address, ByteView bytes, const std::string& what) {
  for (size_t i = 0; i < segments_.size(); ++i) {
    const PlannedSegment& seg = segments_[i];
    uint64_t rel = address - seg.spec.vmaddr;
    if (rel >= seg.spec.vmsize) continue;
    if (rel > seg.filesize || bytes.size() > seg.filesize - rel)
      return spec_error(what + " at " + hex(address) + " is not backed by file bytes");
    std::copy(bytes.begin(), bytes.end(), contents_[i].begin() + static_cast<std::ptrdiff_t>(rel));
    return {};
  }
  return spec_error(what + " at " + hex(address) + " is in no segment");
}

Status FileWriter::fill_memory() {
  // Code sections are padded with nop, as assemblers pad between functions, so disassembling
  // past a function's end shows padding rather than zeros decoded as `add [rax], al`.
  for (size_t i = 0; i < segments_.size(); ++i)
    for (const SectionSpec& s : segments_[i].spec.sections)
      if ((s.flags & kSAttrPureInstructions) != 0 && !is_zero_fill(s.flags)) {
        auto begin = contents_[i].begin() + static_cast<std::ptrdiff_t>(s.address - segments_[i].spec.vmaddr);
        std::fill(begin, begin + static_cast<std::ptrdiff_t>(s.size), uint8_t{0x90});
      }
  KDP_TRY_STATUS(place_section_contents());
  for (const PlacedFunction& f : functions_) KDP_TRY_STATUS(place(f.address, f.code, "function " + f.name));
  if (!spec_.version.empty()) {
    auto at = symbol_address("_version");
    if (!at) return spec_error("a version string needs a _version symbol");
    Bytes text(spec_.version.begin(), spec_.version.end());
    text.push_back(0);
    KDP_TRY_STATUS(place(*at, text, "_version"));
  }
  return {};
}

Status FileWriter::place_section_contents() {
  for (const SegmentSpec& seg : spec_.segments)
    for (const SectionSpec& s : seg.sections) {
      if (s.content.empty()) continue;
      std::string what = "content of " + seg.name + "," + s.name;
      if (is_zero_fill(s.flags)) return spec_error(what + ": a zero-fill section has no file bytes");
      if (s.content.size() > s.size)
        return spec_error(what + " (" + hex(s.content.size()) + " bytes) exceeds its size " + hex(s.size));
      KDP_TRY_STATUS(place(s.address, s.content, what));
    }
  return {};
}

void FileWriter::write_segment_command(ByteWriter& w, const PlannedSegment& seg) {
  out_.load_commands.push_back({kLcSegment64, w.size()});
  w.u32(kLcSegment64);
  w.u32(static_cast<uint32_t>(kSegmentCommand64Size + seg.spec.sections.size() * kSection64Size));
  w.fixed_string(seg.spec.name, 16);
  w.u64(seg.spec.vmaddr);
  w.u64(seg.spec.vmsize);
  w.u64(seg.fileoff);
  w.u64(seg.filesize);
  bool text = seg.spec.name == "__TEXT";
  w.u32(7);                 // maxprot rwx
  w.u32(text ? 5 : 3);      // initprot r-x / rw-
  w.u32(static_cast<uint32_t>(seg.spec.sections.size()));
  w.u32(0);
  for (const SectionSpec& s : seg.spec.sections) {
    w.fixed_string(s.name, 16);
    w.fixed_string(seg.spec.name, 16);
    w.u64(s.address);
    w.u64(s.size);
    bool in_file = !is_zero_fill(s.flags) && s.size != 0;
    w.u32(in_file ? static_cast<uint32_t>(seg.fileoff + (s.address - seg.spec.vmaddr)) : 0);
    w.u32(4);  // align 2^4
    w.u32(0);  // reloff
    w.u32(0);  // nreloc
    w.u32(s.flags);
    w.zeros(12);
  }
}

void FileWriter::write_commands(ByteWriter& w) {
  for (const PlannedSegment& seg : segments_) write_segment_command(w, seg);
  out_.load_commands.push_back({kLcSymtab, w.size()});
  w.u32(kLcSymtab);
  w.u32(kSymtabCommandSize);
  w.u32(static_cast<uint32_t>(out_.symoff));
  w.u32(static_cast<uint32_t>(symbols_.size()));
  w.u32(static_cast<uint32_t>(out_.stroff));
  w.u32(static_cast<uint32_t>(strings_.size()));
  out_.load_commands.push_back({kLcDysymtab, w.size()});
  w.u32(kLcDysymtab);
  w.u32(kDysymtabCommandSize);
  uint32_t n = static_cast<uint32_t>(symbols_.size());
  for (uint32_t v : {0u, nlocal_, nlocal_, n - nlocal_, n, 0u}) w.u32(v);
  w.zeros(kDysymtabCommandSize - 32);
  out_.load_commands.push_back({kLcUuid, w.size()});
  w.u32(kLcUuid);
  w.u32(kUuidCommandSize);
  w.bytes(spec_.uuid);
  out_.load_commands.push_back({kLcUnixThread, w.size()});
  w.u32(kLcUnixThread);
  w.u32(kUnixThreadCommandSize);
  w.u32(kX86ThreadState64Flavor);
  w.u32(kX86ThreadState64Count);
  for (size_t i = 0; i < kX86ThreadState64Count / 2; ++i)
    w.u64(i == kX86ThreadState64RipOffset / 8 ? symbol_address(spec_.entry_symbol).value_or(0) : 0);
}

Expected<TestKernel> FileWriter::write() {
  KDP_TRY_STATUS(plan_segments());
  KDP_TRY_STATUS(fill_memory());
  if (!spec_.entry_symbol.empty() && !symbol_address(spec_.entry_symbol))
    return spec_error("entry symbol " + spec_.entry_symbol + " is not defined");
  ByteWriter w;
  w.u32(kMhMagic64);
  w.u32(kCpuTypeX86_64);
  w.u32(kCpuSubtypeX86_64All);
  w.u32(kMhExecute);
  w.u32(static_cast<uint32_t>(segments_.size() + 4));
  w.u32(static_cast<uint32_t>(commands_size()));
  w.u32(kMhNoUndefs);
  w.u32(0);
  write_commands(w);
  Bytes file = std::move(w).take();
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    const PlannedSegment& seg = segments_[i];
    if (file.size() < seg.fileoff + seg.filesize) file.resize(seg.fileoff + seg.filesize, 0);
    // The first segment's leading bytes are the header and load commands, already in `file`.
    uint64_t skip = i == 0 ? kMachHeader64Size + commands_size() : 0;
    std::copy(contents_[i].begin() + static_cast<std::ptrdiff_t>(skip), contents_[i].end(),
              file.begin() + static_cast<std::ptrdiff_t>(seg.fileoff + skip));
  }
  file.resize(segments_.back().fileoff, 0);
  file.insert(file.end(), nlists_.begin(), nlists_.end());
  file.insert(file.end(), strings_.begin(), strings_.end());
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    const PlannedSegment& seg = segments_[i];
    Bytes bytes(file.begin() + static_cast<std::ptrdiff_t>(seg.fileoff),
                file.begin() + static_cast<std::ptrdiff_t>(seg.fileoff + seg.filesize));
    out_.memory.push_back({seg.spec.name, seg.spec.vmaddr, std::move(bytes)});
  }
  out_.functions = functions_;
  out_.file = std::move(file);
  return std::move(out_);
}

// ---- fat wrapper -----------------------------------------------------------------------------

Bytes i386_slice(const Uuid& uuid) {
  ByteWriter w;
  for (uint32_t v : {kMhMagic, kCpuTypeX86, kCpuSubtypeI386All, kMhExecute, 1u,
                     static_cast<uint32_t>(kUuidCommandSize), kMhNoUndefs})
    w.u32(v);
  w.u32(kLcUuid);
  w.u32(kUuidCommandSize);
  w.bytes(uuid);
  return std::move(w).take();
}

void wrap_in_fat(TestKernel& k, const Uuid& uuid) {
  Bytes small = i386_slice(uuid);
  uint64_t i386_offset = kPage;
  uint64_t x86_64_offset = align_up(i386_offset + small.size(), kPage);
  ByteWriter w;
  w.u32be(kFatMagic);
  w.u32be(2);
  for (auto [cpu, offset, size] :
       {std::tuple{kCpuTypeX86, i386_offset, small.size()},
        std::tuple{kCpuTypeX86_64, x86_64_offset, k.file.size()}}) {
    w.u32be(cpu);
    w.u32be(3);
    w.u32be(static_cast<uint32_t>(offset));
    w.u32be(static_cast<uint32_t>(size));
    w.u32be(12);
  }
  Bytes fat = std::move(w).take();
  fat.resize(i386_offset, 0);
  fat.insert(fat.end(), small.begin(), small.end());
  fat.resize(x86_64_offset, 0);
  fat.insert(fat.end(), k.file.begin(), k.file.end());
  k.file = std::move(fat);
  k.slice_offset = x86_64_offset;
  for (LoadCommandLocation& c : k.load_commands) c.offset += x86_64_offset;
  k.symoff += x86_64_offset;
  k.stroff += x86_64_offset;
}

Expected<std::vector<PlacedFunction>> assemble_all(const TestKernelSpec& spec) {
  std::map<std::string, uint64_t> targets;
  for (const SymbolSpec& s : spec.symbols) targets.emplace(s.name, s.address);
  for (const FunctionSpec& f : spec.functions) targets[f.name] = f.address;
  std::vector<PlacedFunction> out;
  for (const FunctionSpec& f : spec.functions) {
    KDP_TRY(PlacedFunction p, assemble(f, targets));
    out.push_back(std::move(p));
  }
  return out;
}

// A function must end before the next symbol, or symbolization of its own code would be wrong.
Status check_functions_fit(const std::vector<PlacedFunction>& functions,
                           const std::vector<WrittenSymbol>& symbols) {
  for (const PlacedFunction& f : functions)
    for (const WrittenSymbol& s : symbols)
      if ((s.type & kNStab) == 0 && s.address > f.address && s.address < f.address + f.code.size())
        return spec_error("function " + f.name + " (" + std::to_string(f.code.size()) +
                          " bytes) runs into symbol " + s.name);
  return {};
}

void record_text(TestKernel& k, const TestKernelSpec& spec) {
  for (const SegmentSpec& seg : spec.segments)
    for (const SectionSpec& s : seg.sections) {
      if (seg.name != "__TEXT" || s.name != "__text") continue;
      for (const SegmentImage& m : k.memory) {
        if (m.name != "__TEXT") continue;
        uint64_t rel = s.address - m.vmaddr;
        k.text.assign(m.bytes.begin() + static_cast<std::ptrdiff_t>(rel),
                      m.bytes.begin() + static_cast<std::ptrdiff_t>(rel + s.size));
        k.text_address = s.address;
      }
    }
}

}  // namespace

const LoadCommandLocation* TestKernel::find_command(uint32_t cmd) const {
  for (const LoadCommandLocation& c : load_commands)
    if (c.cmd == cmd) return &c;
  return nullptr;
}

Expected<TestKernel> write_test_kernel(const TestKernelSpec& spec) {
  std::vector<SectionRef> sections = number_sections(spec);
  if (sections.size() > 255) return spec_error("more than 255 sections");
  KDP_TRY(std::vector<PlacedFunction> functions, assemble_all(spec));
  KDP_TRY(std::vector<WrittenSymbol> symbols, SymbolBuilder(spec, sections).build(functions));
  KDP_TRY_STATUS(check_functions_fit(functions, symbols));
  KDP_TRY(TestKernel kernel, FileWriter(spec, std::move(symbols), std::move(functions)).write());
  record_text(kernel, spec);
  if (spec.fat_with_i386) wrap_in_fat(kernel, spec.uuid);
  return kernel;
}

}  // namespace kdp::macho
