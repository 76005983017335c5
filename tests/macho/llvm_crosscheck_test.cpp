// The written test kernels, read by LLVM's tools: they must see the same symbols, UUID, entry
// point and instructions as kdpctl. Skipped (saying so) when llvm-nm / llvm-objdump are absent.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "macho/disasm.h"
#include "test_kernels.h"
#include "tests/support/requirements.h"

using namespace kdp;
using namespace kdp::macho;
using namespace kdp::macho::testing;
using kdp::test::require_input;

namespace {

using NameAddress = std::pair<std::string, uint64_t>;

// "ffffff80002c5c40 T _Debugger" lines; headers and blank lines are skipped.
std::vector<NameAddress> parse_nm(const std::string& text) {
  std::vector<NameAddress> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string address, type, name;
    if (!(fields >> address >> type >> name) || address.size() != 16) continue;
    out.emplace_back(name, std::stoull(address, nullptr, 16));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<NameAddress> our_symbols(const KernelImage& image) {
  std::vector<NameAddress> out;
  for (const Symbol& s : image.symbols().symbols()) out.emplace_back(std::string(s.name), s.address);
  std::sort(out.begin(), out.end());
  return out;
}

// The mnemonics of llvm-objdump's Intel-syntax listing ("...: 55  \tpush\trbp").
std::vector<std::string> objdump_mnemonics(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (line.size() < 18 || line[16] != ':' || tab == std::string::npos) continue;
    std::string rest = line.substr(tab + 1);
    out.push_back(rest.substr(0, rest.find('\t')));
  }
  return out;
}

}  // namespace

// Every case here reads the real 10.7.3 data or runs an LLVM tool (tests/support/requirements.h).
TEST_SUITE_BEGIN("needs-input");

TEST_CASE("llvm-nm lists the same symbols as kdpctl (fat file with STABS)") {
  if (!require_input(have_tool("llvm-nm"), "llvm-nm (Debian package llvm)")) return;
  TestKernelSpec spec = lion_10_7_3_spec();
  spec.fat_with_i386 = true;
  spec.stab_entries = 2000;
  TestKernel k = write_or_fail(spec);
  std::string path = write_temp_file(k.file, "fat_kernel");
  auto nm = run_command("llvm-nm --arch=x86_64 '" + path + "'");
  auto nm_all = run_command("llvm-nm -a --arch=x86_64 '" + path + "'");
  KernelImage image = load_or_fail(k.file);
  std::remove(path.c_str());
  REQUIRE(nm);
  REQUIRE(nm_all);
  std::vector<NameAddress> theirs = parse_nm(*nm);
  CHECK(theirs.size() == kLionSymbolCount);
  CHECK(theirs == our_symbols(image));
  // With -a llvm-nm also shows the debug-map entries kdpctl skips.
  size_t all_lines = static_cast<size_t>(std::count(nm_all->begin(), nm_all->end(), '\n'));
  CHECK(all_lines == kLionSymbolCount + 2000);
}

TEST_CASE("llvm-objdump sees the same UUID, entry point and segments") {
  if (!require_input(have_tool("llvm-objdump"), "llvm-objdump (Debian package llvm)")) return;
  std::string path = write_temp_file(minimal_kernel().file, "min_kernel");
  auto headers = run_command("llvm-objdump --macho --private-headers '" + path + "'");
  std::remove(path.c_str());
  REQUIRE(headers);
  KernelImage image = load_or_fail(minimal_kernel().file);
  CHECK(headers->find("uuid " + format_uuid(*image.uuid())) != std::string::npos);
  CHECK(headers->find("rip 0xffffff8000201000") != std::string::npos);
  CHECK(headers->find("rip " + hex(*image.entry_point())) != std::string::npos);
  for (const Segment& s : image.segments()) {
    char vmaddr[32];
    std::snprintf(vmaddr, sizeof vmaddr, "%016llx", static_cast<unsigned long long>(s.vmaddr));
    CHECK_MESSAGE(headers->find("segname " + s.name + "\n   vmaddr 0x" + vmaddr) != std::string::npos, s.name);
  }
}

TEST_CASE("llvm-objdump decodes the written functions as kdpctl does") {
  if (!require_input(have_tool("llvm-objdump"), "llvm-objdump (Debian package llvm)")) return;
  const TestKernel& k = minimal_kernel();
  std::string path = write_temp_file(k.file, "min_kernel");
  for (const PlacedFunction& f : k.functions) {
    auto listing = run_command("llvm-objdump -d --x86-asm-syntax=intel --start-address=" + hex(f.address) +
                               " --stop-address=" + hex(f.address + f.code.size()) + " '" + path + "'");
    REQUIRE(listing);
    auto ours = disassemble(f.code, f.address, 100, nullptr, Syntax::kIntel);
    REQUIRE(ours);
    std::vector<std::string> mnemonics;
    for (const Instruction& i : *ours) mnemonics.push_back(i.mnemonic);
    CHECK_MESSAGE(objdump_mnemonics(*listing) == mnemonics, f.name);
  }
  std::remove(path.c_str());
}

TEST_SUITE_END();
