// Line tables and subprograms of the clang-built test kernel, against llvm-dwarfdump's dump; and
// the container check on files that are not dSYMs.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "kgm/dwarf_container.h"
#include "kgm/dwarf_info.h"
#include "tests/dwarf/dwarf_support.h"
#include "tests/dwarf/test_dsym.h"

using namespace kdp;
using namespace kdp::kgm;
using kdp::test::load_test_dsym;

namespace {

Bytes file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_SUITE("needs-input") {

TEST_CASE("dwarf: every line-table row's address maps to that row's line in kext_alloc.c") {
 for (const std::string variant : test::kDwarfVariants) {
  CAPTURE(variant);
  auto info = load_test_dsym(variant);
  if (!info) return;
  const auto rows = test::dwarfdump_line_rows(variant);
  REQUIRE(rows.size() >= 10);
  size_t checked = 0;
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    if (rows[i].end_sequence || rows[i].line == 0 || rows[i + 1].address == rows[i].address) continue;
    auto range = info->line_at(rows[i].address);
    REQUIRE(range.has_value());
    CHECK(range->source.line == rows[i].line);
    CHECK(range->source.file == "kext_alloc.c");
    CHECK(range->source.full_path == "/SourceCache/xnu/xnu-1699.24.23/kext_alloc.c");
    CHECK(range->start <= rows[i].address);
    CHECK(range->end > rows[i].address);
    ++checked;
  }
  CHECK(checked >= 10);
  CHECK_FALSE(info->line_at(0x10).has_value());
 }
}

TEST_CASE("dwarf: kext_alloc's address, frame base and frame-relative parameters") {
 for (const std::string variant : test::kDwarfVariants) {
  CAPTURE(variant);
  auto info = load_test_dsym(variant);
  if (!info) return;
  auto dumped = test::dwarfdump_function("kext_alloc", variant);
  REQUIRE(dumped.has_value());
  auto f = info->function_named("kext_alloc");
  REQUIRE(f.has_value());
  CHECK(f->low_pc == dumped->low_pc);
  CHECK(f->frame_base == FrameBase::kRbp);  // clang -O0: DW_OP_reg6
  REQUIRE(f->params.size() == 3);
  REQUIRE(dumped->fbreg_params.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(f->params[i].name == dumped->fbreg_params[i].first);
    CHECK(f->params[i].location.kind == ParamLocation::Kind::kFrameBase);
    CHECK(f->params[i].location.offset == dumped->fbreg_params[i].second);
  }
  CHECK(f->params[0].type.kind == TypeKind::kPointer);
  CHECK(f->params[1].type.typedef_name == "vm_size_t");
  CHECK(f->params[2].type.typedef_name == "boolean_t");
  REQUIRE(f->declared.has_value());
  CHECK(f->declared->file == "kext_alloc.c");

  // Any address inside the function finds it; the body starts after the opening line's rows.
  auto inside = info->function_at(dumped->low_pc + 5);
  REQUIRE(inside.has_value());
  CHECK(inside->name == "kext_alloc");
  auto body = info->after_prologue(*f);
  REQUIRE(body.has_value());
  auto opening = info->line_at(f->low_pc);
  auto first_body_line = info->line_at(*body);
  REQUIRE(opening.has_value());
  REQUIRE(first_body_line.has_value());
  CHECK(first_body_line->source.line > opening->source.line);
  CHECK(*body == opening->end);
 }
}

TEST_CASE("dwarf: a truncated or altered dSYM is an error or fewer answers, never a crash") {
  const std::string path = test::dwarf_file();
  if (path.empty()) return;
  const Bytes whole = file_bytes(path);
  REQUIRE(whole.size() > 64);
  for (size_t cut : {size_t{0}, size_t{4}, size_t{32}, size_t{200}, whole.size() / 2}) {
    auto info = DwarfInfo::from_bytes(Bytes(whole.begin(), whole.begin() + cut), "cut");
    if (info) (void)(*info)->types()->find("proc");
  }
  // Bytes flipped across the DWARF sections: lookups may fail, but must return.
  Bytes damaged = whole;
  for (size_t i = whole.size() / 3; i < whole.size(); i += 97) damaged[i] ^= 0x5a;
  auto info = DwarfInfo::from_bytes(std::move(damaged), "damaged");
  if (info) {
    (void)(*info)->types()->find("proc");
    (void)(*info)->types()->find("kdp_shapes");
    (void)(*info)->function_named("kext_alloc");
    (void)(*info)->line_at(0x100000380);
  }
}

TEST_CASE("dwarf: the real name indexes pass the checks that keep damaged ones from LLVM") {
  const std::string apple = test::dwarf_file("mach_kernel"), names = test::dwarf_file("mach_kernel_dwarf4");
  if (apple.empty()) return;
  const Bytes apple_bytes = file_bytes(apple), names_bytes = file_bytes(names);
  auto with_apple = read_dsym_container(ByteReader(apple_bytes, apple));
  auto with_names = read_dsym_container(ByteReader(names_bytes, names));
  REQUIRE(with_apple.has_value());
  REQUIRE(with_names.has_value());
  CHECK(apple_table_usable(with_apple->sections.at("apple_types")));
  CHECK(apple_table_usable(with_apple->sections.at("apple_names")));
  CHECK(debug_names_usable(with_names->sections.at("debug_names"), with_names->sections.at("debug_str")));
  // A string offset past .debug_str (LLVM 14 would strlen it): .debug_str cut short.
  CHECK_FALSE(debug_names_usable(with_names->sections.at("debug_names"), with_names->sections.at("debug_str").first(1)));
}

}  // TEST_SUITE

TEST_CASE("dwarf: files that are not dSYMs are refused with the file's name") {
  auto empty = DwarfInfo::from_bytes({}, "empty.dSYM");
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().message().find("empty.dSYM") != std::string::npos);
  Bytes text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'};
  auto not_macho = DwarfInfo::from_bytes(text, "notes.txt");
  REQUIRE_FALSE(not_macho.has_value());
  CHECK(not_macho.error().message().find("notes.txt") != std::string::npos);
}

TEST_CASE("dwarf: --dsym accepts a bundle or the DWARF file, and a missing one is kNotFound") {
  auto missing = resolve_dsym_path("/nonexistent/mach_kernel.dSYM");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().kind() == ErrorKind::kNotFound);
  CHECK_FALSE(dsym_beside("/nonexistent/mach_kernel").has_value());
}

TEST_CASE("dwarf: an Apple accelerator table LLVM would divide by zero on is not used") {
  // magic "HASH", version 1, DJB hash, then bucket_count, hashes_count, header_data_length,
  // die_offset_base, atom_count and one atom (DW_ATOM_die_offset, DW_FORM_data4).
  auto table = [](uint32_t buckets) {
    ByteWriter w;
    w.u32(0x48415348);
    w.u16(1);
    w.u16(0);
    w.u32(buckets);
    w.u32(0);
    w.u32(12);
    w.u32(0);
    w.u32(1);
    w.u16(1);
    w.u16(6);
    for (uint32_t i = 0; i < buckets; ++i) w.u32(UINT32_MAX);
    return std::move(w).take();
  };
  CHECK(apple_table_usable(table(1)));
  CHECK_FALSE(apple_table_usable(table(0)));
  Bytes cut = table(4);
  cut.resize(cut.size() - 1);
  CHECK_FALSE(apple_table_usable(cut));
}
