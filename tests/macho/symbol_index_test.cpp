// Name -> address, address -> symbol+offset, the kernel/kext split, aliases and duplicates.
#include <doctest/doctest.h>

#include "macho/format.h"
#include "test_kernels.h"

using namespace kdp;
using namespace kdp::macho;
using namespace kdp::macho::testing;

TEST_CASE("lookup accepts the C name and the file's spelling") {
  const SymbolIndex& index = lion_image().symbols();
  CHECK(index.lookup("kext_alloc") == 0xffffff80002a5180);
  CHECK(index.lookup("_kext_alloc") == 0xffffff80002a5180);
  CHECK(index.lookup("_mh_execute_header") == 0xffffff8000200000);   // gdb's spelling
  CHECK(index.lookup("__mh_execute_header") == 0xffffff8000200000);  // the file's
  CHECK(index.lookup("allproc") == 0xffffff80008d9e40);
  CHECK(index.lookup("last_kernel_symbol") == 0xffffff80008fc000);
  CHECK_FALSE(index.lookup("no_such_symbol"));
  CHECK_FALSE(index.lookup(""));
  REQUIRE(index.find("_version") != nullptr);
  CHECK(index.find("_version")->section == 2);
  CHECK(index.find("version") == nullptr);  // find() takes the file's spelling only
}

TEST_CASE("symbolize names the symbol at or before an address, without the leading underscore") {
  const SymbolIndex& index = lion_image().symbols();
  CHECK(index.format(0xffffff80002a5180) == "kext_alloc");
  CHECK(index.format(0xffffff80002a5184) == "kext_alloc+0x4");
  CHECK(index.format(0xffffff80008d9e48) == "allproc+0x8");
  CHECK(index.format(0xffffff8000200004) == "_mh_execute_header+0x4");
  auto s = index.symbolize(0xffffff8000226745);
  REQUIRE(s);
  CHECK(s->name == "kalloc");
  CHECK(s->offset == 5);
}

TEST_CASE("addresses outside the kernel's sections have no symbol") {
  const SymbolIndex& index = lion_image().symbols();
  CHECK_FALSE(index.symbolize(0));
  CHECK_FALSE(index.symbolize(0xffffff7f80001000));   // kext area below the kernel
  CHECK_FALSE(index.symbolize(0xffffff8012345678));   // kernel heap, past every segment
  CHECK_FALSE(index.symbolize(0xffffffffffffffff));
  // Past the last symbol of __LAST,__last (8 bytes) but inside the segment: no section, no name.
  CHECK(index.format(0xffffff80008fc004) == "last_kernel_symbol+0x4");
  CHECK_FALSE(index.symbolize(0xffffff80008fc010));
}

TEST_CASE("kernel vs not-kernel follows kgmacros: [_mh_execute_header, _last_kernel_symbol)") {
  const SymbolIndex& index = lion_image().symbols();
  CHECK(index.is_kernel_address(0xffffff8000200000));
  CHECK(index.is_kernel_address(0xffffff80002a5180));
  CHECK(index.is_kernel_address(0xffffff80008fbfff));
  CHECK_FALSE(index.is_kernel_address(0xffffff80008fc000));
  CHECK_FALSE(index.is_kernel_address(0xffffff80001fffff));
  CHECK_FALSE(index.is_kernel_address(0xffffff7f80001000));  // a kext
}

TEST_CASE("aliases show the external name; duplicate names resolve to the external symbol") {
  TestKernelSpec spec = minimal_kernel_spec();
  spec.symbols.push_back({"_kext_alloc_local_alias", 0xffffff8000201100, kNSect});
  spec.symbols.push_back({"_dup", 0xffffff8000204200, kNSect});
  spec.symbols.push_back({"_dup", 0xffffff8000204300, kNSect | kNExt});
  spec.symbols.push_back({"_dup", 0xffffff8000204400, kNSect});
  KernelImage image = load_spec(spec);
  CHECK(image.symbols().format(0xffffff8000201100) == "kext_alloc");
  CHECK(image.symbols().lookup("dup") == 0xffffff8000204300);
  CHECK(image.symbols().format(0xffffff8000204208) == "dup+0x8");
}

TEST_CASE("without _mh_execute_header/_last_kernel_symbol the kernel range is the segments' span") {
  TestKernelSpec spec = minimal_kernel_spec();
  std::erase_if(spec.symbols, [](const SymbolSpec& s) { return s.name == "_last_kernel_symbol"; });
  KernelImage image = load_spec(spec);
  CHECK(image.symbols().is_kernel_address(0xffffff8000206004));  // __LAST
  CHECK(image.symbols().is_kernel_address(0xffffff8000200000));
  CHECK_FALSE(image.symbols().is_kernel_address(0xffffff80001fffff));
}

TEST_CASE("a slid index reports and accepts slid addresses only") {
  KernelImage image = load_or_fail(minimal_kernel().file);
  image.set_slide(0x1000000);
  const SymbolIndex& index = image.symbols();
  CHECK(index.is_kernel_address(0xffffff8001200000));
  CHECK_FALSE(index.is_kernel_address(0xffffff8000200000 + 0x10));  // unslid: below the kernel now
  const Symbol* kalloc = index.find("_kalloc");
  REQUIRE(kalloc != nullptr);
  CHECK(kalloc->address == 0xffffff8000201200);  // the file's
  CHECK(index.address_of(*kalloc) == 0xffffff8001201200);
}

TEST_CASE("every symbol's own address symbolizes to it, at both ends of the address space") {
  TestKernelSpec spec = minimal_kernel_spec();
  spec.total_symbols = 300;
  KernelImage image = load_spec(spec);
  for (uint64_t slide : {uint64_t{0}, uint64_t{0x7ff000}, uint64_t{0 - 0xffffff8000200000}}) {
    image.set_slide(slide);
    const SymbolIndex& index = image.symbols();
    for (const Symbol& s : index.symbols()) {
      auto at = index.symbolize(index.address_of(s));
      REQUIRE_MESSAGE(at, s.name);
      CHECK_MESSAGE(at->offset == 0, s.name);
      auto after = index.symbolize(index.address_of(s) + 1);
      CHECK_MESSAGE(after.has_value(), s.name);
    }
  }
}

TEST_CASE("a kernel at the very top of the address space symbolizes up to its last byte") {
  TestKernelSpec spec;
  spec.segments = {{"__TEXT", 0xffffffffffff0000, 0xfff0, {{"__text", 0xffffffffffff1000, 0xeff0, 0}}}};
  spec.entry_symbol = "";
  for (uint64_t i = 0; i < 200; ++i)
    spec.symbols.push_back({"_s" + std::to_string(i), 0xffffffffffff1000 + i * 0x130});
  spec.symbols.push_back({"_top", 0xffffffffffffffe0});
  TestKernel k = write_or_fail(spec);
  KernelImage image = load_or_fail(k.file);
  const SymbolIndex& index = image.symbols();
  for (const Symbol& s : index.symbols()) CHECK_MESSAGE(index.symbolize(s.address)->offset == 0, s.name);
  CHECK(index.format(0xffffffffffffffe8) == "top+0x8");
  CHECK_FALSE(index.symbolize(0xfffffffffffffff0));  // past __text
}

TEST_CASE("symbols spread over the whole address space (a fuzzer find) still index correctly") {
  // Symbol values far outside their sections make the address span nearly 2^64, so the jump
  // table's buckets are 2^59 bytes wide; the bucket past the end must not wrap around to 0.
  TestKernelSpec spec = minimal_kernel_spec();
  spec.symbols.push_back({"_low", 0x8000201c40, kNSect, 1});
  spec.symbols.push_back({"_middle", 0x1000018000205800, kNSect, 4});
  KernelImage image = load_spec(spec);
  const SymbolIndex& index = image.symbols();
  for (const Symbol& s : index.symbols()) {
    if (s.kind() != kNSect) continue;
    auto at = index.symbolize(s.address);
    REQUIRE_MESSAGE(at, s.name);
    CHECK_MESSAGE(at->offset == 0, s.name);
  }
  CHECK(index.format(0xffffff8000201104) == "kext_alloc+0x4");
  CHECK(index.format(0x8000201c40) == "low");
  CHECK_FALSE(index.symbolize(0x8000201c41));  // outside its section: only the exact address
}
