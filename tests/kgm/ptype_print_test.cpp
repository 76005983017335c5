// gdb's ptype, ptype/o and print over the ISF sample (isf_sample.h) and the built-in layouts. The
// expected text is written out here from gdb's format rules (typeprint.c's ptype/o columns:
// "/* %6u" offsets, "|  %6u */" sizes, 27 columns, "XXX n-byte hole"; valprint's pretty
// layout, 10-element repeat threshold, one trailing NUL of a char array dropped), never produced
// by the renderer under test.
#include <doctest/doctest.h>

#include "isf_sample.h"
#include "kgm/isf.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/ptype.h"
#include "kgm/value_print.h"
#include "test_memory.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

TypeModel sample_model() {
  auto p = parse_isf(kSampleIsf, "sample.json");
  REQUIRE(p);
  return TypeModel(*p);
}

constexpr uint64_t kThing = 0xffffff8000900000;

// struct thing at kThing, field by field (see isf_sample.h for the layout).
Bytes thing_bytes() {
  Bytes b(80, 0);
  auto put = [&](size_t at, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put(8, 0xffffff8000800000, 8);  // t_link.prev = &allthings
  put(16, static_cast<uint32_t>(-5), 4);
  put(20, 7, 4);                  // BLUE
  put(24, 5 | (17 << 3), 4);      // t_a = 5, t_b = 17
  put(28, 0x64636261, 4);         // "abcd"
  const char name[] = "launchd";
  for (size_t i = 0; i < 7; ++i) b[32 + i] = static_cast<uint8_t>(name[i]);
  put(44, 1, 2);
  for (size_t i = 1; i < 6; ++i) put(44 + 2 * i, 2, 2);
  put(56, 0x1234, 8);
  put(64, kThing, 8);
  put(72, 0xffffff8000800008, 8);  // t_fn = &thing_count
  return b;
}

test::FnMemory memory_with(Bytes bytes, uint64_t at) {
  return test::FnMemory([bytes = std::move(bytes), at](uint64_t a) -> std::optional<uint8_t> {
    if (a < at || a - at >= bytes.size()) return std::nullopt;
    return bytes[a - at];
  });
}

MapSymbolSource sample_symbols() {
  return MapSymbolSource({{"_mh_execute_header", 0xffffff8000200000},
                          {"allthings", 0xffffff8000800000},
                          {"thing_count", 0xffffff8000800008},
                          {"last_kernel_symbol", 0xffffff8000801000}});
}

std::string print_thing(DecodeOptions options) {
  TypeModel model = sample_model();
  auto memory = memory_with(thing_bytes(), kThing);
  MapSymbolSource symbols = sample_symbols();
  options.symbols = &symbols;
  auto value = read_typed_value(memory, model, "struct thing", kThing, options);
  REQUIRE_MESSAGE(value, (value ? "" : value.error().message()));
  return value_text(*value);
}

}  // namespace

TEST_CASE("ptype: gdb's declaration form") {
  auto text = ptype_text(sample_model(), "struct thing", false);
  REQUIRE(text);
  CHECK(*text ==
        "type = struct thing {\n"
        "    struct link t_link;\n"
        "    int t_id;\n"
        "    enum color t_color;\n"
        "    unsigned int t_a : 3;\n"
        "    unsigned int t_b : 5;\n"
        "    union word t_word;\n"
        "    char t_name[12];\n"
        "    short t_vals[6];\n"
        "    void *t_any;\n"
        "    struct thing *t_self;\n"
        "    void (*t_fn)();\n"
        "}\n");
  CHECK(*ptype_text(sample_model(), "enum color", false) == "type = enum color {RED, GREEN, BLUE = 7}\n");
  CHECK(*ptype_text(sample_model(), "union word", false) ==
        "type = union word {\n"
        "    char c[4];\n"
        "    unsigned int u;\n"
        "}\n");
}

TEST_CASE("ptype/o: offsets, sizes, bit positions, holes, nested structs and unions spelled out") {
  auto text = ptype_text(sample_model(), "thing", true);
  REQUIRE(text);
  CHECK(*text ==
        "/* offset      |    size */  type = struct thing {\n"
        "/*      0      |      16 */    struct link {\n"
        "/*      0      |       8 */        struct link *next;\n"
        "/*      8      |       8 */        struct link *prev;\n"
        "\n"
        "                                   /* total size (bytes):   16 */\n"
        "                               } t_link;\n"
        "/*     16      |       4 */    int t_id;\n"
        "/*     20      |       4 */    enum color t_color;\n"
        "/*     24: 0   |       4 */    unsigned int t_a : 3;\n"
        "/*     24: 3   |       4 */    unsigned int t_b : 5;\n"
        "/* XXX  3-byte hole      */\n"
        "/*     28      |       4 */    union word {\n"
        "/*                     4 */        char c[4];\n"
        "/*                     4 */        unsigned int u;\n"
        "\n"
        "                                   /* total size (bytes):    4 */\n"
        "                               } t_word;\n"
        "/*     32      |      12 */    char t_name[12];\n"
        "/*     44      |      12 */    short t_vals[6];\n"
        "/*     56      |       8 */    void *t_any;\n"
        "/*     64      |       8 */    struct thing *t_self;\n"
        "/*     72      |       8 */    void (*t_fn)();\n"
        "\n"
        "                               /* total size (bytes):   80 */\n"
        "                             }\n");
}

TEST_CASE("ptype/o: trailing padding") {
  MapTypeProvider p("hand-built types");
  p.add(StructType{"padded", 16, false, {{"a", 0, int_type("long", 8, true)}, {"b", 8, char_type()}}});
  auto text = ptype_text(TypeModel(std::make_shared<MapTypeProvider>(p)), "struct padded", true);
  REQUIRE(text);
  CHECK(*text ==
        "/* offset      |    size */  type = struct padded {\n"
        "/*      0      |       8 */    long a;\n"
        "/*      8      |       1 */    char b;\n"
        "/* XXX  7-byte padding   */\n"
        "\n"
        "                               /* total size (bytes):   16 */\n"
        "                             }\n");
}

TEST_CASE("ptype: the built-in layouts need no file and no memory") {
  TypeModel builtin(xnu1699_layouts(KernelConfig::kRelease));
  auto text = ptype_text(builtin, "struct proc", false);
  REQUIRE(text);
  CHECK(text->starts_with("type = struct proc {\n"
                          "    struct list_entry p_list;\n"
                          "    int p_pid;\n"
                          "    void *task;\n"
                          "    struct proc *p_pptr;\n"));
  CHECK(text->find("    char p_comm[17];\n") != std::string::npos);
  auto missing = ptype_text(builtin, "struct nosuch", false);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message() == "no type 'struct nosuch' in the built-in layouts for xnu-1699.24.23 RELEASE_X86_64");
  auto wrong_kind = ptype_text(sample_model(), "union thing", false);
  REQUIRE_FALSE(wrong_kind);
  CHECK(wrong_kind.error().message() == "no type 'union thing' in ISF file sample.json");
}

TEST_CASE("ptype --json: fields with offsets and C types") {
  auto json = ptype_json(sample_model(), "struct thing");
  REQUIRE(json);
  CHECK(json->starts_with(R"({"type":"struct thing","size":80,"fields":[{"name":"t_link","offset":0,"size":16,"type":"struct link"},)"));
  CHECK(json->find(R"({"name":"t_b","offset":24,"size":4,"type":"unsigned int : 5","bit_offset":3,"bit_width":5})") != std::string::npos);
  CHECK(json->find(R"j({"name":"t_fn","offset":72,"size":8,"type":"void (*)()"})j") != std::string::npos);
  CHECK(json->find(R"("source":"ISF file sample.json")") != std::string::npos);
}

TEST_CASE("print: gdb's pretty layout, enums by name, bitfields, strings, symbols") {
  CHECK(print_thing({}) ==
        "{\n"
        "  t_link = {\n"
        "    next = 0x0,\n"
        "    prev = 0xffffff8000800000 <allthings>\n"
        "  },\n"
        "  t_id = -5,\n"
        "  t_color = BLUE,\n"
        "  t_a = 5,\n"
        "  t_b = 17,\n"
        "  t_word = {\n"
        "    c = \"abcd\",\n"
        "    u = 1684234849\n"
        "  },\n"
        "  t_name = \"launchd\\000\\000\\000\\000\",\n"
        "  t_vals = {1, 2, 2, 2, 2, 2},\n"
        "  t_any = 0x1234,\n"
        "  t_self = 0xffffff8000900000,\n"
        "  t_fn = 0xffffff8000800008 <thing_count>\n"
        "}");
}

TEST_CASE("print/x: every integer in hex, char arrays as hex arrays") {
  DecodeOptions hex;
  hex.hex = true;
  const std::string text = print_thing(hex);
  CHECK(text.find("  t_id = 0xfffffffb,\n") != std::string::npos);
  CHECK(text.find("  t_color = 0x7,\n") != std::string::npos);
  CHECK(text.find("  t_b = 0x11,\n") != std::string::npos);
  CHECK(text.find("    c = {0x61, 0x62, 0x63, 0x64},\n    u = 0x64636261\n") != std::string::npos);
  CHECK(text.find("  t_name = {0x6c, 0x61, 0x75, 0x6e, 0x63, 0x68, 0x64, 0x0, 0x0, 0x0, 0x0, 0x0},\n") != std::string::npos);
  CHECK(text.find("  t_vals = {0x1, 0x2, 0x2, 0x2, 0x2, 0x2},\n") != std::string::npos);
}

TEST_CASE("print --depth: deeper structs as {...}") {
  DecodeOptions shallow;
  shallow.max_depth = 1;
  const std::string text = print_thing(shallow);
  CHECK(text.find("  t_link = {...},\n") != std::string::npos);
  CHECK(text.find("  t_word = {...},\n") != std::string::npos);
  CHECK(text.find("  t_id = -5,\n") != std::string::npos);
  DecodeOptions none;
  none.max_depth = 0;
  CHECK(print_thing(none) == "{...}");
}

TEST_CASE("print: repeats and strings as gdb folds them") {
  MapTypeProvider p("hand-built types");
  const TypeProvider& provider = p;
  Bytes ints(16 * 4, 0);
  ints[0] = 7;
  auto v = decode_value(array_type(int_type("int", 4, true), 16), ints, provider, {});
  REQUIRE(v);
  CHECK(value_text(*v) == "{7, 0 <repeats 15 times>}");

  Bytes blank(32, 0);
  v = decode_value(array_type(char_type(), 32), blank, provider, {});
  REQUIRE(v);
  CHECK(value_text(*v) == "'\\000' <repeats 31 times>");

  Bytes task(32, 0);
  const std::string name = "kernel_task";
  std::copy(name.begin(), name.end(), task.begin());
  v = decode_value(array_type(char_type(), 32), task, provider, {});
  REQUIRE(v);
  CHECK(value_text(*v) == "\"kernel_task\", '\\000' <repeats 20 times>");

  Bytes quote = {'a', '"', '\n', 0xff};
  v = decode_value(array_type(char_type(), 4), quote, provider, {});
  REQUIRE(v);
  CHECK(value_text(*v) == "\"a\\\"\\n\\377\"");

  Bytes many(300 * 4, 0);
  for (size_t i = 0; i < 300; ++i) many[4 * i] = static_cast<uint8_t>(i % 2);
  DecodeOptions few;
  few.max_elements = 3;
  v = decode_value(array_type(int_type("int", 4, true), 300), many, provider, few);
  REQUIRE(v);
  CHECK(value_text(*v) == "{0, 1, 0...}");

  // A struct the provider has no definition of (the built-in layouts name lck_mtx_t only).
  v = decode_value(struct_type("lck_mtx_t", 16), Bytes(16, 0), provider, {});
  REQUIRE(v);
  CHECK(value_text(*v) == "<incomplete type>");
}

TEST_CASE("print: an array of structs in gdb's pretty layout") {
  auto model = sample_model();
  Bytes links(32, 0);
  links[0] = 0x10;
  auto v = decode_value(array_type(struct_type("link", 16), 2), links, model.provider(), {}, 0);
  REQUIRE(v);
  CHECK(value_text(*v, 1) ==
        "{{\n"
        "      next = 0x10,\n"
        "      prev = 0x0\n"
        "    }, {\n"
        "      next = 0x0,\n"
        "      prev = 0x0\n"
        "    }}");
}

TEST_CASE("print --json: nested objects, names for enums, strings up to the NUL") {
  TypeModel model = sample_model();
  auto memory = memory_with(thing_bytes(), kThing);
  auto value = read_typed_value(memory, model, "struct thing", kThing, {});
  REQUIRE(value);
  const std::string json = value_json(*value);
  CHECK(json.starts_with(R"({"t_link":{"next":"0x0","prev":"0xffffff8000800000"},"t_id":-5,"t_color":"BLUE","t_a":5,"t_b":17,)"));
  CHECK(json.find(R"("t_name":"launchd","t_vals":[1,2,2,2,2,2],)") != std::string::npos);
}

TEST_CASE("print: unreadable memory is an error with the fault address") {
  TypeModel model = sample_model();
  Bytes half = thing_bytes();
  half.resize(40);
  auto memory = memory_with(half, kThing);
  auto value = read_typed_value(memory, model, "struct thing", kThing, {});
  REQUIRE_FALSE(value);
  CHECK(value.error().message().starts_with("cannot read struct thing at 0xffffff8000900000: "));
  REQUIRE(value.error().fault_address());
  CHECK(*value.error().fault_address() == kThing + 40);
}
