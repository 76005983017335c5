// kgm's DWARF type provider over the clang-built test kernel's dSYM, checked against
// llvm-dwarfdump's dump of the same file, the built-in 10.7.3 layouts and the C rules the test
// headers were written to (x86_64 SysV bitfield allocation, LSB first).
#include <doctest/doctest.h>

#include "kgm/c_decl.h"
#include "kgm/dwarf_info.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/ptype.h"
#include "macho/layout.h"
#include "tests/dwarf/dwarf_support.h"
#include "tests/dwarf/test_dsym.h"

using namespace kdp;
using namespace kdp::kgm;
using kdp::test::load_test_dsym;

namespace {

const Field& field_of(const StructType& s, std::string_view name) {
  const Field* f = s.field(name);
  REQUIRE_MESSAGE(f != nullptr, "no field " << name);
  return *f;
}

}  // namespace

TEST_SUITE("needs-input") {

TEST_CASE("dwarf: struct proc's members sit where llvm-dwarfdump says, and where the built-in layouts say") {
 for (const std::string variant : test::kDwarfVariants) {
  CAPTURE(variant);
  auto info = load_test_dsym(variant);
  if (!info) return;
  auto types = info->types();
  const StructType* proc = types->find("proc");
  REQUIRE(proc != nullptr);
  CHECK(proc->size == 0x440);  // xnu-layouts.md §2: sizeof = 0x440
  const auto dumped = test::dwarfdump_member_offsets("proc", variant);
  REQUIRE(dumped.size() >= 100);
  CHECK(proc->fields.size() == dumped.size());
  for (const auto& entry : dumped) CHECK_MESSAGE(field_of(*proc, entry.first).offset == entry.second, entry.first);

  auto builtin = xnu1699_layouts(KernelConfig::kRelease);
  const StructType* expected = builtin->find("proc");
  REQUIRE(expected != nullptr);
  size_t compared = 0;
  for (const Field& f : expected->fields) {
    const Field* ours = proc->field(f.name);
    if (ours == nullptr) continue;
    CHECK_MESSAGE(ours->offset == f.offset, f.name);
    CHECK_MESSAGE(ours->type.size == f.type.size, f.name);
    ++compared;
  }
  CHECK(compared >= 20);
 }
}

TEST_CASE("dwarf: typedef names are kept, anonymous structs expand, arrays keep their dimensions") {
  auto info = load_test_dsym();
  if (!info) return;
  TypeModel model(info->types());
  auto text = ptype_text(model, "struct proc", false);
  REQUIRE(text.has_value());
  CHECK(text->starts_with("type = struct proc {\n"));
  CHECK(text->find("\n    pid_t p_pid;\n") != std::string::npos);
  CHECK(text->find("\n    uid_t p_uid;\n") != std::string::npos);
  CHECK(text->find("\n    char p_comm[17];\n") != std::string::npos);
  CHECK(text->find("\n    struct proc *p_pptr;\n") != std::string::npos);
  CHECK(text->find("\n    lck_mtx_t p_mlock;\n") != std::string::npos);
  CHECK(text->find("\n    struct {\n        struct proc *le_next;\n        struct proc **le_prev;\n    } p_list;\n") !=
        std::string::npos);
  auto resolved = model.field("proc", "p_list.le_prev");
  REQUIRE(resolved.has_value());
  CHECK(resolved->offset == 8);
}

TEST_CASE("dwarf: bitfields from DWARF 2's big-endian DW_AT_bit_offset and DWARF 4's DW_AT_data_bit_offset") {
 for (const std::string variant : test::kDwarfVariants) {
  CAPTURE(variant);
  auto info = load_test_dsym(variant);
  if (!info) return;
  const StructType* shapes = info->types()->find("kdp_shapes");
  REQUIRE(shapes != nullptr);
  const auto dumped = test::dwarfdump_members("kdp_shapes", variant);
  // unsigned low:3, mid:13; int high:16 share one 4-byte unit, allocated from bit 0 up.
  struct Expect { const char* name; uint8_t bit; uint8_t width; bool is_signed; };
  for (const Expect& e : {Expect{"low", 0, 3, false}, Expect{"mid", 3, 13, false}, Expect{"high", 16, 16, true}}) {
    const Field& f = field_of(*shapes, e.name);
    CHECK(f.type.kind == TypeKind::kBitfield);
    CHECK(f.offset == 0);
    CHECK(f.type.bit_offset == e.bit);
    CHECK(f.type.bit_width == e.width);
    CHECK(f.type.is_signed == e.is_signed);
    // The same position from llvm-dwarfdump's MSB-first numbers: 32 - bit_offset - bit_size.
    const auto& attrs = dumped.at(e.name);
    if (attrs.contains("DW_AT_bit_offset"))
      CHECK(32 - std::stoul(attrs.at("DW_AT_bit_offset"), nullptr, 16) - std::stoul(attrs.at("DW_AT_bit_size"), nullptr, 16) == e.bit);
    else
      CHECK(std::stoul(attrs.at("DW_AT_data_bit_offset"), nullptr, 16) == e.bit);  // LSB-first already
  }
 }
}

TEST_CASE("dwarf: unions, anonymous members, 2-D arrays, enums, function pointers and qualifiers") {
 for (const std::string variant : test::kDwarfVariants) {
  CAPTURE(variant);
  auto info = load_test_dsym(variant);
  if (!info) return;
  auto types = info->types();
  const StructType* shapes = types->find("kdp_shapes");
  REQUIRE(shapes != nullptr);
  const auto dumped = test::dwarfdump_member_offsets("kdp_shapes", variant);
  for (const Field& f : shapes->fields)
    if (!f.name.empty() && f.type.kind != TypeKind::kBitfield) CHECK_MESSAGE(dumped.at(f.name) == f.offset, f.name);

  const Field& word = field_of(*shapes, "word");
  CHECK(word.type.kind == TypeKind::kUnion);
  const StructType* word_type = types->find(word.type.name);
  REQUIRE(word_type != nullptr);
  CHECK(word_type->is_union);
  CHECK(word_type->fields.size() == 2);

  // struct { short a; short b; } and union { long anon_l; char anon_c; }: unnamed members.
  int anonymous = 0;
  for (const Field& f : shapes->fields) {
    if (!f.name.empty()) continue;
    ++anonymous;
    REQUIRE(f.type.is_aggregate());
    CHECK(is_anonymous_name(f.type.name));
    const StructType* inner = types->find(f.type.name);
    REQUIRE(inner != nullptr);
    CHECK((inner->field("a") != nullptr || inner->field("anon_l") != nullptr));
  }
  CHECK(anonymous == 2);

  const Field& grid = field_of(*shapes, "grid");
  CHECK(declaration(grid.type, "grid", *types) == "int grid[2][3]");
  CHECK(grid.type.size == 24);

  const Field& color = field_of(*shapes, "color");
  CHECK(color.type.kind == TypeKind::kEnum);
  CHECK(color.type.typedef_name == "kdp_color_t");
  const EnumType* e = types->find_enum("kdp_color");
  REQUIRE(e != nullptr);
  REQUIRE(e->constants.size() == 3);
  CHECK(e->constants[0] == std::pair<std::string, int64_t>{"KDP_RED", 0});
  CHECK(e->constants[1] == std::pair<std::string, int64_t>{"KDP_GREEN", 5});
  CHECK(e->constants[2] == std::pair<std::string, int64_t>{"KDP_BLUE", 6});

  const Field& callback = field_of(*shapes, "callback");
  CHECK(callback.type.kind == TypeKind::kPointer);
  REQUIRE(callback.type.element != nullptr);
  CHECK(callback.type.element->kind == TypeKind::kFunction);

  const Field& flags = field_of(*shapes, "flags");  // const volatile unsigned long: qualifiers skipped
  CHECK(flags.type.kind == TypeKind::kInteger);
  CHECK(flags.type.name == "unsigned long");
  CHECK(flags.type.size == 8);
 }
}

TEST_CASE("dwarf: the dSYM's UUID is llvm-dwarfdump's, and a missing type is an error naming the dSYM") {
  auto info = load_test_dsym();
  if (!info) return;
  REQUIRE(info->uuid().has_value());
  CHECK(macho::format_uuid(*info->uuid()) == test::dwarfdump_uuid());
  TypeModel model(info->types());
  auto missing = model.type("no_such_struct");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message().find("dSYM " + test::dwarf_file()) != std::string::npos);
}

}  // TEST_SUITE
