#include "tests/kext/kext_support.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "tests/cli/process.h"
#include "tests/support/requirements.h"
#include "tools/fixtures/world/world_layout.h"

namespace kdp::test {
namespace {

std::string run(std::vector<std::string> argv) { return cli::test::run_process(argv, {}).out; }

uint64_t number_in(const std::string& text) {
  const size_t at = text.find("0x");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at), nullptr, 16);
}

uint64_t get(const Bytes& b, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{b.at(at + i)} << (8 * i);
  return v;
}

void put(Bytes& b, size_t at, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) b.at(at + i) = static_cast<uint8_t>(value >> (8 * i));
}

void put_string(Bytes& b, size_t at, const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) b.at(at + i) = static_cast<uint8_t>(s[i]);
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// The kext file's LC_SEGMENT_64s (name, vmaddr, vmsize, fileoff, filesize), read here by hand.
struct FileSegment {
  std::string name;
  uint64_t vmaddr = 0, vmsize = 0, fileoff = 0, filesize = 0;
};

std::vector<FileSegment> file_segments(const Bytes& file) {
  std::vector<FileSegment> out;
  const uint32_t ncmds = static_cast<uint32_t>(get(file, 16, 4));
  size_t at = 32;
  for (uint32_t i = 0; i < ncmds; ++i) {
    const uint32_t cmd = static_cast<uint32_t>(get(file, at, 4)), size = static_cast<uint32_t>(get(file, at + 4, 4));
    if (cmd == 0x19) {  // LC_SEGMENT_64
      FileSegment s;
      s.name = std::string(reinterpret_cast<const char*>(&file.at(at + 8)));
      if (s.name.size() > 16) s.name.resize(16);
      s.vmaddr = get(file, at + 24, 8), s.vmsize = get(file, at + 32, 8);
      s.fileoff = get(file, at + 40, 8), s.filesize = get(file, at + 48, 8);
      out.push_back(s);
    }
    at += size;
  }
  return out;
}

macho::CoreSegment* segment_holding(macho::CoreFile& core, uint64_t address) {
  for (macho::CoreSegment& s : core.segments)
    if (address >= s.vmaddr && address - s.vmaddr < s.data.size()) return &s;
  return nullptr;
}

void add_segment(macho::CoreFile& core, uint64_t address, Bytes data) {
  for (const macho::CoreSegment& s : core.segments)
    REQUIRE_MESSAGE((address + data.size() <= s.vmaddr || s.vmaddr + s.vmsize <= address), "fixture overlaps the world");
  const uint64_t size = data.size();
  core.segments.push_back({"", address, size, macho::kVmProtAll, macho::kVmProtAll, std::move(data)});
}

}  // namespace

std::optional<KextPaths> debugtest_kext() {
  const std::string bundle = KDPCTL_KEXT_BUNDLE;
  if (!require_input(!bundle.empty(), "clang, ld64.lld, dsymutil, llvm-dwarfdump and llvm-symbolizer (the DebugTest kext)"))
    return std::nullopt;
  const std::string dir = bundle.substr(0, bundle.rfind('/'));
  return KextPaths{bundle, bundle + "/Contents/MacOS/DebugTest", bundle + ".dSYM/Contents/Resources/DWARF/DebugTest",
                   dir + "/rebuilt/DebugTest.kext"};
}

Symbolized symbolize(const std::string& dwarf, uint64_t file_address) {
  char address[32];
  std::snprintf(address, sizeof address, "0x%llx", static_cast<unsigned long long>(file_address));
  std::istringstream out(run({KDPCTL_LLVM_SYMBOLIZER, "--basenames", "--obj=" + dwarf, address}));
  Symbolized s;
  std::string where;
  std::getline(out, s.function);
  std::getline(out, where);  // debugtest.c:26:19
  const size_t first = where.find(':'), second = where.find(':', first + 1);
  REQUIRE(first != std::string::npos);
  s.file = where.substr(0, first);
  s.line = static_cast<uint32_t>(std::stoul(where.substr(first + 1, second - first - 1)));
  return s;
}

DumpedFunction dumped_function(const std::string& dwarf, const std::string& name) {
  std::istringstream in(run({KDPCTL_LLVM_DWARFDUMP, "--name=" + name, "--show-children", dwarf}));
  static const std::regex fbreg(R"(DW_OP_fbreg ([+-]?\d+))"), param_name(R"(DW_AT_name\s+\(\"(\w+)\"\))"),
      decl_line(R"(DW_AT_decl_line\s+\((\d+)\))");
  DumpedFunction f;
  bool in_param = false;
  int64_t offset = 0;
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (line.find("DW_AT_low_pc") != std::string::npos && f.low_pc == 0) f.low_pc = number_in(line);
    if (std::regex_search(line, m, decl_line) && f.decl_line == 0) f.decl_line = static_cast<uint32_t>(std::stoul(m[1]));
    if (line.find("DW_TAG_formal_parameter") != std::string::npos) in_param = true;
    if (in_param && std::regex_search(line, m, fbreg)) offset = std::stoll(m[1]);
    if (in_param && std::regex_search(line, m, param_name)) {
      f.fbreg_params.emplace_back(m[1], offset);
      in_param = false;
    }
  }
  return f;
}

uint64_t dumped_variable_address(const std::string& dwarf, const std::string& name) {
  const std::string out = run({KDPCTL_LLVM_DWARFDUMP, "--name=" + name, dwarf});
  const size_t at = out.find("DW_OP_addr");
  return at == std::string::npos ? 0 : number_in(out.substr(at));
}

std::vector<std::pair<uint64_t, uint32_t>> dumped_line_rows(const std::string& dwarf) {
  std::istringstream in(run({KDPCTL_LLVM_DWARFDUMP, "--debug-line", dwarf}));
  static const std::regex row(R"(^0x([0-9a-f]{16})\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+\s*(.*)$)");
  std::vector<std::pair<uint64_t, uint32_t>> rows;
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_match(line, m, row) && m[3].str().find("end_sequence") == std::string::npos)
      rows.emplace_back(std::stoull(m[1], nullptr, 16), static_cast<uint32_t>(std::stoul(m[2])));
  return rows;
}

std::string dumped_uuid(const std::string& file) {
  const std::string out = run({KDPCTL_LLVM_DWARFDUMP, "--uuid", file});
  return out.size() > 42 ? out.substr(6, 36) : std::string();  // "UUID: 4C4C…-… (x86_64) path"
}

KextWorld make_kext_world(const KextPaths& kext, bool listed) {
  auto built = world::build_world({.procs = 12, .seed = 22});
  REQUIRE(built.has_value());
  KextWorld w;
  macho::CoreFile& core = built->core;

  // The kext's segments at the load address, as kxld leaves them (vmaddr 0 is the header).
  const Bytes file = read_file(kext.executable);
  REQUIRE(file.size() > 32);
  uint64_t end = 0;
  for (const FileSegment& s : file_segments(file)) {
    if (s.name == "__LINKEDIT" || s.vmsize == 0) continue;
    Bytes data(s.vmsize, 0);
    std::copy(file.begin() + static_cast<std::ptrdiff_t>(s.fileoff),
              file.begin() + static_cast<std::ptrdiff_t>(s.fileoff + s.filesize), data.begin());
    add_segment(core, kKextLoadAddress + s.vmaddr, std::move(data));
    end = std::max(end, s.vmaddr + s.vmsize);
  }
  REQUIRE(end != 0);

  // Its kmod_info, on its own page after the kext, at the head of the kmod list.
  namespace ki = world::kmod_info;
  w.kmod_info = kKextLoadAddress + end + 0x1000;
  Bytes info(0x1000, 0);
  macho::CoreSegment* head = segment_holding(core, world::global::kKmod);
  REQUIRE(head != nullptr);
  const size_t head_at = world::global::kKmod - head->vmaddr;
  put(info, ki::kNext, get(head->data, head_at, 8), 8);
  put(info, ki::kInfoVersion, 1, 4);
  put(info, ki::kId, 99, 4);
  put_string(info, ki::kName, kDebugTestId);
  put_string(info, ki::kVersion, "1.0.0d1");
  put(info, ki::kReferenceCount, 0, 4);
  put(info, ki::kAddress, kKextLoadAddress, 8);
  put(info, ki::kSize, end, 8);
  put(info, ki::kHdrSize, 0x1000, 8);
  add_segment(core, w.kmod_info, std::move(info));
  if (listed) put(head->data, head_at, w.kmod_info, 8);

  // The stop: just after DebugTest_start's int3, its frame holding (ki, d), called from the
  // kernel function of the world's first stopped frame.
  const DumpedFunction start = dumped_function(kext.dwarf, "DebugTest_start");
  REQUIRE(start.fbreg_params.size() == 2);
  size_t int3 = start.low_pc;
  while (int3 < file.size() && file[int3] != 0xcc) ++int3;
  REQUIRE(int3 < start.low_pc + 0x20);
  w.rip = kKextLoadAddress + int3 + 1;
  REQUIRE(!built->model.stopped_frames.empty());
  w.return_address = built->model.stopped_frames.front().return_address;
  w.caller_symbol = built->model.stopped_frames.front().symbol;
  w.d_argument = 0xffffff8012345678ULL;
  const uint64_t stack = 0xffffff7f80f00000ULL, rbp0 = stack + 0x400, rbp1 = stack + 0x800;
  Bytes frames(0x1000, 0);
  put(frames, rbp0 - stack, rbp1, 8);
  put(frames, rbp0 - stack + 8, w.return_address, 8);
  put(frames, rbp0 - stack + start.fbreg_params[0].second, w.kmod_info, 8);
  put(frames, rbp0 - stack + start.fbreg_params[1].second, w.d_argument, 8);
  add_segment(core, stack, std::move(frames));
  core.threads.front().rip() = w.rip;
  core.threads.front().rbp() = rbp0;
  core.threads.front().rsp() = rbp0 - 0x20;

  w.files = std::make_unique<cli::test::WorldFiles>(std::move(*built));
  REQUIRE(world::write_world(w.files->world(), w.files->dir()).has_value());
  w.core = w.files->core();
  return w;
}

}  // namespace kdp::test
