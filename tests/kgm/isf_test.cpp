// The Volatility ISF importer: a hand-written document (isf_sample.h) checked field by field, and
// malformed documents, each refused with the JSON path of the problem.
#include <doctest/doctest.h>

#include <lzma.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "expected.h"
#include "isf_sample.h"
#include "kgm/isf.h"
#include "kgm/xz.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

std::shared_ptr<const IsfTypeProvider> sample() {
  auto p = parse_isf(kSampleIsf, "sample.json");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  return *p;
}

// The error message of parsing `text`, which must fail as malformed.
std::string error_of(const std::string& text) {
  auto p = parse_isf(text, "bad.json");
  REQUIRE_FALSE(p);
  CHECK(p.error().kind() == ErrorKind::kMalformed);
  return p.error().message();
}

Bytes xz_compress(const std::string& text) {
  Bytes out(text.size() + 1024);
  size_t written = 0;
  const lzma_ret r = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const uint8_t*>(text.data()),
                                             text.size(), out.data(), &written, out.size());
  REQUIRE(r == LZMA_OK);
  out.resize(written);
  return out;
}

// A file in the temporary directory, removed at the end of the test.
struct TempFile {
  std::string path;
  TempFile(const std::string& name, const Bytes& bytes)
      : path((std::filesystem::temp_directory_path() / ("kdpctl-isf-" + std::to_string(::getpid()) + "-" + name)).string()) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  ~TempFile() { std::remove(path.c_str()); }
};

// The sample with one piece of text replaced (which must occur in it).
std::string edited(const std::string& from, const std::string& to) {
  std::string s = kSampleIsf;
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("ISF: struct fields in offset order with kinds, sizes and offsets") {
  auto p = sample();
  CHECK(p->description() == "ISF file sample.json");
  const StructType* thing = p->find("thing");
  REQUIRE(thing != nullptr);
  CHECK(thing->size == 80);
  CHECK_FALSE(thing->is_union);
  struct Row {
    const char* name;
    uint64_t offset, size;
    TypeKind kind;
  } rows[] = {{"t_link", 0, 16, TypeKind::kStruct},  {"t_id", 16, 4, TypeKind::kInteger},
              {"t_color", 20, 4, TypeKind::kEnum},    {"t_a", 24, 4, TypeKind::kBitfield},
              {"t_b", 24, 4, TypeKind::kBitfield},    {"t_word", 28, 4, TypeKind::kUnion},
              {"t_name", 32, 12, TypeKind::kArray},   {"t_vals", 44, 12, TypeKind::kArray},
              {"t_any", 56, 8, TypeKind::kPointer},   {"t_self", 64, 8, TypeKind::kPointer},
              {"t_fn", 72, 8, TypeKind::kPointer}};
  REQUIRE(thing->fields.size() == std::size(rows));
  for (size_t i = 0; i < std::size(rows); ++i) {
    CAPTURE(rows[i].name);
    const Field& f = thing->fields[i];
    CHECK(f.name == rows[i].name);
    CHECK(f.offset == rows[i].offset);
    CHECK(f.type.size == rows[i].size);
    CHECK(f.type.kind == rows[i].kind);
  }
}

TEST_CASE("ISF: element and target types, bitfields, enums, unions") {
  auto p = sample();
  const StructType& thing = *p->find("thing");
  const Field& id = *thing.field("t_id");
  CHECK(id.type.name == "int");
  CHECK(id.type.is_signed);

  const Field& name = *thing.field("t_name");
  CHECK(name.type.count == 12);
  REQUIRE(name.type.element);
  CHECK(name.type.element->kind == TypeKind::kChar);

  const Field& vals = *thing.field("t_vals");
  CHECK(vals.type.count == 6);
  CHECK(vals.type.element->name == "short");
  CHECK(vals.type.element->size == 2);

  const Field& any = *thing.field("t_any");
  CHECK(any.type.name == "void");
  CHECK(any.type.element == nullptr);

  const Field& self = *thing.field("t_self");
  CHECK(self.type.name == "thing");
  REQUIRE(self.type.element);
  CHECK(self.type.element->kind == TypeKind::kStruct);

  const Field& fn = *thing.field("t_fn");
  REQUIRE(fn.type.element);
  CHECK(fn.type.element->kind == TypeKind::kFunction);

  const Field& b = *thing.field("t_b");
  CHECK(b.type.bit_offset == 3);
  CHECK(b.type.bit_width == 5);
  CHECK_FALSE(b.type.is_signed);
  REQUIRE(b.type.bit_base);
  CHECK(b.type.bit_base->name == "unsigned int");

  const StructType* word = p->find("word");
  REQUIRE(word != nullptr);
  CHECK(word->is_union);
  CHECK(word->size == 4);
  CHECK(word->field("c")->type.count == 4);
  CHECK(word->field("u")->offset == 0);

  const EnumType* color = p->find_enum("color");
  REQUIRE(color != nullptr);
  CHECK(color->size == 4);
  CHECK_FALSE(color->is_signed);
  REQUIRE(color->constants.size() == 3);
  CHECK(*color->name_of(7) == "BLUE");
  CHECK(color->name_of(3) == nullptr);
}

TEST_CASE("ISF: symbols by name, with and without the Mach-O underscore") {
  auto p = sample();
  CHECK(p->symbols().at("_allthings") == 0xffffff8000800000);
  CHECK(p->symbols().at("allthings") == 0xffffff8000800000);
  CHECK(p->symbols().at("thing_count") == 0xffffff8000800008);
  CHECK(p->pointer_size() == 8);
}

TEST_CASE("ISF: the type model answers dotted paths through ISF types") {
  TypeModel model(sample());
  auto f = model.field("thing", "t_link.prev");
  REQUIRE(f);
  CHECK(f->offset == 8);
  auto missing = model.field("thing", "t_nothing");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message().find("ISF file sample.json") != std::string::npos);
}

TEST_CASE("ISF: malformed documents name the JSON path") {
  struct Case {
    std::string from, to, expected;
  } cases[] = {
      {R"("t_id": {"offset": 16,)", R"("t_id": {"offset": "16",)", "user_types.thing.fields.t_id.offset: expected integer"},
      {R"("t_id": {"offset": 16,)", R"("t_id": {"offset": -4,)", "user_types.thing.fields.t_id.offset: expected a non-negative integer"},
      {R"("t_id": {"offset": 16, "type")", R"("t_id": {"offset": 16, "tipe")", "user_types.thing.fields.t_id.type: missing"},
      {R"("t_id": {"offset": 16, "type": {"kind": "base", "name": "int"}})", R"("t_id": {"offset": 16, "type": {"kind": "base", "name": "long"}})",
       "user_types.thing.fields.t_id.type.name: unknown base type 'long'"},
      {R"("count": 12,)", R"("count": 4294967296000,)", "user_types.thing.fields.t_name.type.count:"},
      {R"("count": 6, "subtype": {"kind": "base", "name": "short"})",
       R"("count": 4294967295, "subtype": {"kind": "base", "name": "short"})",
       "user_types.thing.fields.t_vals.type.count: 4294967295 elements of 2 bytes exceed"},
      {R"("bit_position": 3, "bit_length": 5,)", R"("bit_position": 30, "bit_length": 5,)",
       "user_types.thing.fields.t_b.type: bits 30..34 do not fit in its 4-byte type"},
      {R"("t_link": {"offset": 0, "type": {"kind": "struct", "name": "link"}})",
       R"("t_link": {"offset": 0, "type": {"kind": "struct", "name": "nolink"}})",
       "user_types.thing.fields.t_link.type.name: unknown user type 'nolink'"},
      {R"("t_color": {"offset": 20, "type": {"kind": "enum", "name": "color"}})",
       R"("t_color": {"offset": 20, "type": {"kind": "blob", "name": "color"}})",
       "user_types.thing.fields.t_color.type.kind: unknown type kind 'blob'"},
      {R"("RED": 0,)", R"("RED": "zero",)", "enums.color.constants.RED: expected integer"},
      {R"("word": {"kind": "union", "size": 4,)", R"("word": {"kind": "onion", "size": 4,)",
       "user_types.word.kind: expected struct, union or class, got 'onion'"},
      {R"("_allthings": {"address": 18446743523962126336})", R"("_allthings": {"addr": 1})",
       "symbols._allthings.address: missing"},
      {R"("short": {"size": 2, "signed": true,)", R"("short": {"size": 2, "signed": 1,)",
       "base_types.short.signed: expected boolean"},
      {R"("enums": {)", R"("enumz": {)", "enums: missing"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.expected);
    const std::string message = error_of(edited(c.from, c.to));
    CHECK(message.find("ISF file bad.json: ") == 0);
    CHECK(message.find(c.expected) != std::string::npos);
  }
}

TEST_CASE("ISF: a struct holding itself by value (directly or through another) is refused") {
  const std::string direct = edited(R"("t_self": {"offset": 64, "type": {"kind": "pointer", "subtype": {"kind": "struct", "name": "thing"}}})",
                                    R"("t_self": {"offset": 64, "type": {"kind": "struct", "name": "thing"}})");
  CHECK(error_of(direct).find("user_types.thing.fields.t_self: struct thing contains itself by value") !=
        std::string::npos);
  // link holds an array of thing, thing holds link.
  const std::string indirect = edited(R"("prev": {"offset": 8, "type": {"kind": "pointer", "subtype": {"kind": "struct", "name": "link"}}})",
                                      R"("prev": {"offset": 8, "type": {"kind": "array", "count": 2, "subtype": {"kind": "struct", "name": "thing"}}})");
  CHECK(error_of(indirect).find("contains itself by value") != std::string::npos);
}

TEST_CASE("ISF: not JSON, absurd nesting and deep descriptor chains are errors, not crashes") {
  CHECK(error_of("{\"base_types\": ").find("not valid JSON") != std::string::npos);
  CHECK(error_of("[1, 2]").find("expected a JSON object") != std::string::npos);
  CHECK(error_of(std::string(100000, '[')).find("nests deeper than") != std::string::npos);
  std::string chain = R"({"kind": "base", "name": "int"})";
  for (int i = 0; i < 40; ++i) chain = R"({"kind": "pointer", "subtype": )" + chain + "}";
  const std::string deep = edited(R"("t_id": {"offset": 16, "type": {"kind": "base", "name": "int"}})", R"("t_id": {"offset": 16, "type": )" + chain + "}");
  CHECK(error_of(deep).find("user_types.thing.fields.t_id.type.subtype.subtype") != std::string::npos);
}

TEST_CASE("ISF files: .json.xz is decompressed, within bounds") {
  const std::string plain = kSampleIsf;
  const Bytes packed = xz_compress(plain);
  TempFile file("sample.json.xz", packed);
  auto p = load_isf_file(file.path);
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  CHECK((*p)->find("thing") != nullptr);
  CHECK((*p)->description() == "ISF file " + file.path);

  TempFile not_xz("plain.json.xz", Bytes(plain.begin(), plain.end()));
  auto refused = load_isf_file(not_xz.path);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message() == "ISF file " + not_xz.path + ": not xz data");

  Bytes truncated(packed.begin(), packed.begin() + static_cast<ptrdiff_t>(packed.size() / 2));
  auto cut = xz_decompress(truncated, 1 << 20, "cut.xz");
  REQUIRE_FALSE(cut);
  CHECK(cut.error().kind() == ErrorKind::kMalformed);

  const Bytes zeros = xz_compress(std::string(100000, '\0'));
  auto bomb = xz_decompress(zeros, 4096, "zeros.xz");
  REQUIRE_FALSE(bomb);
  CHECK(bomb.error().message() == "zeros.xz: decompresses to more than 4096 bytes");
}

TEST_CASE("ISF files: non-regular and missing files are refused with a reason") {
  auto dir = load_isf_file("/");
  REQUIRE_FALSE(dir);
  CHECK(dir.error().message().find("not a regular file") != std::string::npos);
  auto missing = load_isf_file("/nonexistent/kernel.json");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind() == ErrorKind::kNotFound);
}

TEST_CASE("ISF memory bounds: a document of more values than kIsfMaxJsonValues is refused before it is parsed") {
  // 8 MB of text, 4 Mi + 1 values: parsed, it would take ~130 MB; a 100 MB file of the same shape 1.6 GB.
  std::string many = "[0";
  for (uint64_t i = 2; i < kIsfMaxJsonValues; ++i) many += ",0";
  auto at_bound = parse_isf(many + "]", "at_bound.json");  // the array and its 4 Mi - 1 zeros: within
  REQUIRE_FALSE(at_bound);
  CHECK(at_bound.error().message().find("JSON values") == std::string::npos);
  auto over = parse_isf(many + ",0]", "over.json");
  REQUIRE_FALSE(over);
  CHECK(over.error().kind() == ErrorKind::kUsage);
  CHECK(over.error().message() == "ISF file over.json: more than 4194304 JSON values (the bound that keeps --types' memory in check)");
}

TEST_CASE("ISF memory bounds: .xz inflating past kIsfMaxFileBytes stops there") {
  // 128 MiB and a byte of spaces compress to ~20 KB; such files were inflated up to 512 MiB, then parsed.
  std::string spaces(kIsfMaxFileBytes + 1, ' ');
  TempFile bomb("bomb.json.xz", xz_compress(spaces));
  spaces = std::string();
  auto refused = load_isf_file(bomb.path);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message() == "ISF file " + bomb.path + ": decompresses to more than 134217728 bytes");
}
