// The test-kernel writer: what it promises the simulator (memory images, text bytes, placed code)
// and the specs it refuses.
#include <doctest/doctest.h>

#include "macho/format.h"
#include "test_kernels.h"

using namespace kdp;
using namespace kdp::macho;
using namespace kdp::macho::testing;

TEST_CASE("the 10.7.3 spec has the real symbol count and key addresses") {
  const TestKernel& k = lion_kernel();
  CHECK(k.nsyms == kLionSymbolCount);
  CHECK(k.text_address == 0xffffff8000202000);
  CHECK(k.text.size() == 0x481e00);
  const PlacedFunction& kext_alloc = function_named(k, "_kext_alloc");
  CHECK(kext_alloc.address == 0xffffff80002a5180);
  // push rbp; mov rbp,rsp; call kalloc; pop rbp; ret
  REQUIRE(kext_alloc.code.size() == 11);
  CHECK(kext_alloc.code[0] == 0x55);
  CHECK(kext_alloc.code[4] == 0xe8);
  CHECK(kext_alloc.return_addresses == std::vector<uint64_t>{0xffffff80002a5189});
  CHECK(function_named(k, "_Debugger").trap_address == 0xffffff80002c5c44);
}

TEST_CASE("the text bytes and memory images hold the placed code at its address") {
  const TestKernel& k = lion_kernel();
  for (const PlacedFunction& f : k.functions) {
    uint64_t rel = f.address - k.text_address;
    REQUIRE(rel + f.code.size() <= k.text.size());
    CHECK(Bytes(k.text.begin() + static_cast<std::ptrdiff_t>(rel),
                k.text.begin() + static_cast<std::ptrdiff_t>(rel + f.code.size())) == f.code);
  }
  const SegmentImage* text = nullptr;
  for (const SegmentImage& m : k.memory)
    if (m.name == "__TEXT") text = &m;
  REQUIRE(text != nullptr);
  CHECK(text->vmaddr == 0xffffff8000200000);
  // The segment image starts with the Mach-O header, as the running kernel's memory does.
  ByteReader header(text->bytes, "__TEXT");
  CHECK(*header.u32("magic") == kMhMagic64);
  CHECK(*header.u32("cputype") == kCpuTypeX86_64);
  // `version` sits in __TEXT,__const at its real address.
  uint64_t at = 0xffffff80006f4e40 - text->vmaddr;
  std::string version(text->bytes.begin() + static_cast<std::ptrdiff_t>(at),
                      text->bytes.begin() + static_cast<std::ptrdiff_t>(at + 96));
  CHECK(version == kLionVersion);
  CHECK(text->bytes[at + 96] == 0);
}

TEST_CASE("code sections are nop-padded, data sections zero") {
  const TestKernel& k = minimal_kernel();
  const SegmentImage& text = k.memory.front();
  CHECK(text.bytes[0x1000 + 0x80] == 0x90);  // inside __text, between functions
  CHECK(text.bytes[0x2000 + 0x800] == 0);    // __const after the version string
}

TEST_CASE("specs that cannot be written are refused with a reason") {
  TestKernelSpec outside = minimal_kernel_spec();
  outside.symbols.push_back({"_nowhere", 0xffffff8000900000});
  auto a = write_test_kernel(outside);
  REQUIRE_FALSE(a);
  CHECK(a.error().message() == "test kernel spec: symbol _nowhere at 0xffffff8000900000 is in no section");

  TestKernelSpec overlap = minimal_kernel_spec();
  overlap.symbols.push_back({"_inside_kalloc", 0xffffff8000201202});
  auto b = write_test_kernel(overlap);
  REQUIRE_FALSE(b);
  CHECK(b.error().message() == "test kernel spec: function _kalloc (11 bytes) runs into symbol _inside_kalloc");

  TestKernelSpec callee = minimal_kernel_spec();
  callee.functions[0].calls.push_back("_missing");
  auto c = write_test_kernel(callee);
  REQUIRE_FALSE(c);
  CHECK(c.error().message() == "test kernel spec: __start calls unknown symbol _missing");

  TestKernelSpec entry = minimal_kernel_spec();
  entry.entry_symbol = "_nope";
  auto d = write_test_kernel(entry);
  REQUIRE_FALSE(d);
  CHECK(d.error().message() == "test kernel spec: entry symbol _nope is not defined");
}

TEST_CASE("filler symbols reach the requested count and avoid function code") {
  TestKernelSpec spec = minimal_kernel_spec();
  spec.total_symbols = 500;
  TestKernel k = write_or_fail(spec);
  KernelImage image = load_or_fail(k.file);
  CHECK(image.symbols().size() == 500);
  for (const PlacedFunction& f : k.functions)
    for (uint64_t a = f.address; a < f.address + f.code.size(); ++a)
      CHECK(image.symbols().symbolize(a)->name == display_name(f.name));
}

TEST_CASE("section content lands at the section's address, under functions and the version") {
  TestKernelSpec spec = minimal_kernel_spec();
  // minimal: __text at +0x1000 (functions from +0x1000), __const at +0x2000 (`_version` there).
  spec.segments[0].sections[0].content = Bytes(0x1000, 0xcc);
  spec.segments[1].sections[0].content = Bytes{1, 2, 3, 4};
  TestKernel k = write_or_fail(spec);
  REQUIRE(k.text.size() == 0x1000);
  CHECK(k.text[0] == 0x55);      // __start's push rbp, written over the content
  CHECK(k.text[0x80] == 0xcc);   // content between functions, not the nop padding
  CHECK(k.text[0xfff] == 0xcc);  // the last content byte
  const SegmentImage& data = k.memory.at(1);
  CHECK(data.name == "__DATA");
  CHECK(Bytes(data.bytes.begin(), data.bytes.begin() + 5) == Bytes{1, 2, 3, 4, 0});
  KernelImage image = load_or_fail(k.file);
  CHECK(image.version_string() == kLionVersion);
  // The loader sees the content at the section's file offset.
  const Section* text = image.section("__TEXT", "__text");
  REQUIRE(text != nullptr);
  CHECK(k.file.at(text->offset + 0x80) == 0xcc);
}

TEST_CASE("section content must fit its section and have file bytes") {
  TestKernelSpec too_big = minimal_kernel_spec();
  too_big.segments[1].sections[0].content = Bytes(0x1001, 1);
  auto a = write_test_kernel(too_big);
  REQUIRE_FALSE(a);
  CHECK(a.error().message() == "test kernel spec: content of __DATA,__data (0x1001 bytes) exceeds its size 0x1000");

  TestKernelSpec bss = minimal_kernel_spec();
  bss.segments[1].sections[1].content = Bytes{1};
  auto b = write_test_kernel(bss);
  REQUIRE_FALSE(b);
  CHECK(b.error().message() == "test kernel spec: content of __DATA,__bss: a zero-fill section has no file bytes");
}
