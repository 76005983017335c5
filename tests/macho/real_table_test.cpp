// A kernel written from the FULL real 10.7.3 symbol table (shared/data/…/symbols.tsv, read at test
// time, never copied into the repository) loads with every symbol where the table says it is.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "macho/format.h"
#include "test_kernels.h"
#include "tests/support/requirements.h"

using namespace kdp;
using namespace kdp::macho;
using namespace kdp::macho::testing;
using kdp::test::require_input;

namespace {

const std::string kDataDir = std::string(KDPCTL_SHARED_DIR) + "/data/xnu-1699.24.23-lion-10.7.3";

struct TableRow {
  std::string name;
  uint64_t address;
  uint8_t type;
  uint8_t section;
};

// symbols.tsv: name, address (0x…), type text, n_sect, n_type_hex, index.
std::optional<std::vector<TableRow>> read_symbols_tsv() {
  std::ifstream in(kDataDir + "/symbols.tsv");
  if (!in) return std::nullopt;
  std::vector<TableRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    REQUIRE(f.size() == 6);
    rows.push_back({f[0], std::stoull(f[1], nullptr, 16), static_cast<uint8_t>(std::stoul(f[4], nullptr, 16)),
                    static_cast<uint8_t>(std::stoul(f[3]))});
  }
  return rows;
}

KernelImage kernel_from(const std::vector<TableRow>& rows) {
  TestKernelSpec spec = lion_10_7_3_spec();
  spec.total_symbols = 0;
  spec.symbols.clear();
  for (const TableRow& r : rows) spec.symbols.push_back({r.name, r.address, r.type, r.section, 0});
  TestKernel k = write_or_fail(spec);
  return load_or_fail(k.file, "lion-real.kernel");
}

}  // namespace

// Every case here reads the real 10.7.3 data or runs an LLVM tool (tests/support/requirements.h).
TEST_SUITE_BEGIN("needs-input");

TEST_CASE("the full real 10.7.3 symbol table survives writing and loading") {
  auto rows = read_symbols_tsv();
  if (!require_input(rows.has_value(), "real 10.7.3 data (" + kDataDir + "/symbols.tsv)")) return;
  REQUIRE(rows->size() == 22545);
  KernelImage image = kernel_from(*rows);
  const SymbolIndex& index = image.symbols();
  CHECK(index.size() == 22545);

  // Every 37th row (about 600 names), and every row for the key symbols below.
  std::map<std::string, std::set<uint64_t>> addresses;  // 34 names occur more than once
  for (const TableRow& r : *rows) addresses[r.name].insert(r.address);
  size_t checked = 0;
  for (size_t i = 0; i < rows->size(); i += 37, ++checked) {
    const TableRow& r = (*rows)[i];
    auto found = index.lookup(display_name(r.name));  // what a user types, as gdb shows it
    REQUIRE_MESSAGE(found, r.name);
    CHECK_MESSAGE(addresses[r.name].count(*found) == 1, r.name);
  }
  CHECK(checked > 600);
  CHECK(index.lookup("kext_alloc") == 0xffffff80002a5180);
  CHECK(index.lookup("_mh_execute_header") == 0xffffff8000200000);
  CHECK(index.lookup("version") == 0xffffff80006f4e40);
  CHECK(index.lookup("allproc") == 0xffffff80008d9e40);
  CHECK(index.lookup("IdlePML4") == 0xffffff8000100000);
  // Both spellings exist in the real table: names are C names first, as in gdb.
  CHECK(index.lookup("vm_object_lock_try") == 0xffffff800027e240);
  CHECK(index.lookup("_vm_object_lock_try") == 0xffffff800027e230);
  CHECK(index.format(0xffffff800027e230) == "_vm_object_lock_try");
  CHECK(image.version_string() == kLionVersion);
  CHECK(image.entry_point() == 0xffffff80002b8000);
}

TEST_CASE("symbolization over the real table matches its neighbours") {
  auto rows = read_symbols_tsv();
  if (!require_input(rows.has_value(), "real 10.7.3 data (" + kDataDir + "/symbols.tsv)")) return;
  KernelImage image = kernel_from(*rows);
  const SymbolIndex& index = image.symbols();
  CHECK(index.format(0xffffff8000226744) == "kalloc+0x4");
  CHECK(index.format(0xffffff8000226750) == "OSMalloc");           // kalloc is 16 bytes long
  CHECK(index.format(0xffffff80002a5190) == "kext_alloc+0x10");
  CHECK(index.format(0xffffff80006f4e50) == "version+0x10");
  CHECK(index.format(0xffffff80008fc000) == "last_kernel_symbol");
  // __framesize and __nested_function are absolute 0s, constants: address 0 has no symbol.
  CHECK_FALSE(index.symbolize(0));
  CHECK(index.lookup("_framesize") == 0);
  CHECK(index.is_kernel_address(0xffffff80002a5180));
  CHECK_FALSE(index.is_kernel_address(0xffffff80008fc000));
}

TEST_CASE("llvm-nm agrees on the real table") {
  auto rows = read_symbols_tsv();
  if (!require_input(rows.has_value(), "real 10.7.3 data (" + kDataDir + "/symbols.tsv)")) return;
  if (!require_input(have_tool("llvm-nm"), "llvm-nm (Debian package llvm)")) return;
  TestKernelSpec spec = lion_10_7_3_spec();
  spec.total_symbols = 0;
  spec.symbols.clear();
  for (const TableRow& r : *rows) spec.symbols.push_back({r.name, r.address, r.type, r.section, 0});
  TestKernel k = write_or_fail(spec);
  std::string path = write_temp_file(k.file, "real_kernel");
  auto nm = run_command("llvm-nm -p '" + path + "'");
  std::remove(path.c_str());
  REQUIRE(nm);
  // llvm-nm -p keeps the file order; every real row must appear as "<address> <type> <name>".
  std::set<std::string> lines;
  std::istringstream in(*nm);
  for (std::string line; std::getline(in, line);) lines.insert(line.substr(0, 16) + " " + line.substr(19));
  size_t missing = 0;
  for (const TableRow& r : *rows) {
    char address[17];
    std::snprintf(address, sizeof address, "%016llx", static_cast<unsigned long long>(r.address));
    if (!lines.count(std::string(address) + " " + r.name)) ++missing;
  }
  CHECK(missing == 0);
}

TEST_SUITE_END();
