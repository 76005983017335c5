// Loading kernel-shaped files: layout, UUID, entry point, version string, symbols, fat files,
// STABS, and the file on disk.
#include <doctest/doctest.h>

#include <cstdio>

#include "macho/format.h"
#include "macho/lief_check.h"
#include "test_kernels.h"

using namespace kdp;
using namespace kdp::macho;
using namespace kdp::macho::testing;

TEST_CASE("the 10.7.3-shaped kernel loads with its UUID, entry point and version string") {
  const KernelImage& image = lion_image();
  const TestKernelSpec spec = lion_10_7_3_spec();
  REQUIRE(image.uuid().has_value());
  CHECK(*image.uuid() == spec.uuid);
  CHECK(format_uuid(*image.uuid()) == "3C1F5E2A-9B40-3D61-8A77-0E15C24DA910");
  CHECK(image.entry_point() == image.symbols().lookup("_start"));
  CHECK(image.entry_point() == 0xffffff80002b8000);
  CHECK(image.version_string() == kLionVersion);
  CHECK(image.version_string().size() == 96);
  CHECK(image.symbols().size() == kLionSymbolCount);
  CHECK(image.file_text_vmaddr() == 0xffffff8000200000);
}

TEST_CASE("segments and sections come out in load-command order") {
  const KernelImage& image = lion_image();
  std::vector<std::string> names;
  for (const Segment& s : image.segments()) names.push_back(s.name);
  CHECK(names == std::vector<std::string>{"__TEXT", "__DATA", "__INITGDT", "__INITPT", "__DESC",
                                          "__VECTORS", "__HIB", "__SLEEP", "__KLD", "__LAST",
                                          "__PRELINK_TEXT", "__PRELINK_STATE", "__PRELINK_INFO",
                                          "__LINKEDIT"});
  REQUIRE(image.sections().size() == 34);
  // n_sect numbering of xnu-layouts.md §10: 1 = __TEXT,__text, 13 = __DATA common, 30 = __LAST.
  CHECK(image.sections()[0].name == "__text");
  CHECK(image.sections()[0].address == 0xffffff8000202000);
  CHECK(image.sections()[12].segment_name == "__DATA");
  CHECK(image.sections()[12].zero_fill());
  CHECK(image.sections()[29].segment_name == "__LAST");
  const Section* konst = image.section("__TEXT", "__const");
  REQUIRE(konst != nullptr);
  CHECK(konst->contains(*image.symbols().lookup("version")));
  CHECK(image.section_containing(0xffffff80008d9e40)->name == "__common");
  CHECK(image.segment("__KLD")->vmaddr == 0xffffff80008e4000);
}

TEST_CASE("a fat file yields its x86_64 slice") {
  TestKernelSpec spec = minimal_kernel_spec();
  spec.fat_with_i386 = true;
  TestKernel fat = write_or_fail(spec);
  CHECK(fat.slice_offset != 0);
  KernelImage image = load_or_fail(fat.file, "fat.kernel");
  CHECK(*image.uuid() == spec.uuid);
  CHECK(image.symbols().size() == minimal_kernel().nsyms);
  CHECK(image.symbols().lookup("kext_alloc") == 0xffffff8000201100);
  CHECK(image.version_string() == kLionVersion);
}

TEST_CASE("STABS debug-map entries are skipped, not counted and not indexed") {
  TestKernelSpec spec = minimal_kernel_spec();
  spec.stab_entries = 40;
  TestKernel k = write_or_fail(spec);
  CHECK(k.nsyms == minimal_kernel().nsyms + 40);
  KernelImage image = load_or_fail(k.file);
  CHECK(image.symbols().size() == minimal_kernel().nsyms);
  for (const Symbol& s : image.symbols().symbols()) CHECK((s.type & kNStab) == 0);
  // The N_OSO path strings are not symbols.
  CHECK_FALSE(image.symbols().lookup("/private/var/tmp/xnu/xnu-1699.24.23~1/RELEASE_X86_64/obj0.o"));
}

TEST_CASE("load_kernel_image reads the file from disk, and names it in errors") {
  std::string path = write_temp_file(minimal_kernel().file, "kernel");
  auto image = load_kernel_image(path);
  REQUIRE_MESSAGE(image, (image ? "" : image.error().message()));
  CHECK(image->path() == path);
  CHECK(image->symbols().lookup("allproc") == 0xffffff8000204100);
  std::remove(path.c_str());

  auto missing = load_kernel_image(path);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind() == ErrorKind::kNotFound);  // a file the user named does not exist: exit 2
  CHECK(missing.error().message() == path + ": cannot open: No such file or directory");
}

TEST_CASE("set_slide moves segments, sections, the entry point and symbols together") {
  KernelImage image = load_or_fail(minimal_kernel().file);
  const uint64_t slide = 0x2a800000;
  image.set_slide(slide);
  CHECK(image.slide() == slide);
  CHECK(image.segment("__TEXT")->vmaddr == 0xffffff8000200000 + slide);
  CHECK(image.section("__TEXT", "__text")->address == 0xffffff8000201000 + slide);
  CHECK(image.entry_point() == 0xffffff8000201000 + slide);
  CHECK(image.symbols().lookup("kext_alloc") == 0xffffff8000201100 + slide);
  CHECK(image.symbols().format(0xffffff8000201104 + slide) == "kext_alloc+0x4");
  CHECK_FALSE(image.symbols().format(0xffffff8000201104));
  CHECK(image.file_text_vmaddr() == 0xffffff8000200000);  // the file's, for slide arithmetic
  image.set_slide(0);
  CHECK(image.segment("__TEXT")->vmaddr == 0xffffff8000200000);
  CHECK(image.symbols().format(0xffffff8000201104) == "kext_alloc+0x4");
}

TEST_CASE("LIEF's reading of the load commands must agree with ours") {
  ByteReader file(minimal_kernel().file, "min.kernel");
  auto slice = select_x86_64_slice(file);
  REQUIRE(slice);
  auto layout = read_layout(file, *slice);
  REQUIRE(layout);
  CHECK(cross_check_with_lief(*layout, "min.kernel"));
  // A reader bug, simulated: our table says something the file does not.
  MachOLayout wrong_segment = *layout;
  wrong_segment.segments[1].vmaddr += 0x1000;
  auto a = cross_check_with_lief(wrong_segment, "min.kernel");
  REQUIRE_FALSE(a);
  CHECK(a.error().message() ==
        "min.kernel: LIEF reads segment 1 as __DATA [0xffffff8000204000, +0x2000) file [0x3000, +0x1000), "
        "kdpctl as __DATA [0xffffff8000205000, +0x2000) file [0x3000, +0x1000)");
  MachOLayout missing_section = *layout;
  missing_section.sections.pop_back();
  auto b = cross_check_with_lief(missing_section, "min.kernel");
  REQUIRE_FALSE(b);
  CHECK(b.error().message() == "min.kernel: LIEF sees 5 sections, kdpctl 4");
}
