// The ISF importer on real data: the 10.7.3 RELEASE kernel's Volatility-2 vtypes (../shared,
// vtypes.json, format in its PROVENANCE.md) are converted here, at test time, into a Volatility 3
// ISF document, imported, and every field of the built-in layouts (kgm/layouts_xnu1699*.cpp,
// RELEASE) is checked against it: same offset, same size. Two independent descriptions of one
// kernel (the layouts were written from xnu-layouts.md) must agree wherever both name a field.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "kgm/isf.h"
#include "kgm/layouts_xnu1699.h"
#include "tests/support/requirements.h"

using namespace kdp;
using namespace kdp::kgm;
using Json = nlohmann::json;

namespace {

const std::string kVtypes = std::string(KDPCTL_SHARED_DIR) + "/data/xnu-1699.24.23-lion-10.7.3/vtypes.json";

// x86_64 sizes of the C base types the vtypes use.
const std::map<std::string, std::pair<int, bool>> kBaseTypes = {
    {"char", {1, true}},          {"signed char", {1, true}},         {"unsigned char", {1, false}},
    {"short", {2, true}},         {"unsigned short", {2, false}},     {"int", {4, true}},
    {"unsigned int", {4, false}}, {"long", {8, true}},                {"unsigned long", {8, false}},
    {"long long", {8, true}},     {"unsigned long long", {8, false}}, {"void", {0, false}},
    {"pointer", {8, false}}};

const std::set<std::string> kGenericLinkStructs = {"list_entry", "list_head", "tailq_entry", "tailq_head"};

struct Converter {
  Json enums = Json::object();
  int enum_count = 0;
  int dropped = 0;  // bitfields the vtypes got wrong (DWARF 2 bit offsets gone negative)

  static bool sane_bits(const Json& spec) {
    if (spec.at(0) != "BitField") return true;
    const int64_t start = spec.at(1).at("start_bit"), end = spec.at(1).at("end_bit");
    return start >= 0 && end > start && end <= 64;
  }

  // A vtypes typespec (["pointer", [t]], ["array", n, [t]], ["BitField", {...}],
  // ["Enumeration", {...}], [name]) as an ISF type descriptor.
  Json descriptor(const Json& spec) {
    const std::string kind = spec.at(0).get<std::string>();
    if (kind == "pointer") return {{"kind", "pointer"}, {"subtype", descriptor(spec.at(1))}};
    if (kind == "array") return {{"kind", "array"}, {"count", spec.at(1)}, {"subtype", descriptor(spec.at(2))}};
    if (kind == "BitField") {
      const int start = spec.at(1).at("start_bit"), end = spec.at(1).at("end_bit");
      const char* unit = end <= 32 ? "unsigned int" : "unsigned long long";
      return {{"kind", "bitfield"}, {"bit_position", start}, {"bit_length", end - start},
              {"type", {{"kind", "base"}, {"name", unit}}}};
    }
    if (kind == "Enumeration") {
      const std::string name = "vtypes_enum_" + std::to_string(enum_count++);
      const std::string base = spec.at(1).value("target", "int");
      Json constants = Json::object();
      for (const auto& [value, constant] : spec.at(1).at("choices").items()) {
        // Values past INT64_MAX (all-ones masks) stay unsigned, as a JSON integer.
        if (value.front() == '-')
          constants[constant.get<std::string>()] = std::stoll(value);
        else
          constants[constant.get<std::string>()] = std::stoull(value);
      }
      enums[name] = {{"size", kBaseTypes.at(base).first}, {"base", base}, {"constants", constants}};
      return {{"kind", "enum"}, {"name", name}};
    }
    if (kBaseTypes.count(kind)) return {{"kind", "base"}, {"name", kind}};
    return {{"kind", "struct"}, {"name", kind}};
  }

  Json convert(const Json& vtypes) {
    Json base_types = Json::object();
    for (const auto& [name, info] : kBaseTypes)
      base_types[name] = {{"size", info.first}, {"signed", info.second}, {"kind", name == "void" ? "void" : name.find("char") != std::string::npos ? "char" : "int"}, {"endian", "little"}};
    Json user_types = Json::object();
    for (const auto& [name, type] : vtypes.items()) {
      Json fields = Json::object();
      for (const auto& [field, f] : type.at("fields").items()) {
        if (!sane_bits(f.at("type"))) {
          ++dropped;
          continue;
        }
        fields[field] = {{"offset", f.at("offset")}, {"type", descriptor(f.at("type"))}};
      }
      user_types[name] = {{"kind", "struct"}, {"size", type.at("size")}, {"fields", fields}};
    }
    return {{"metadata", {{"format", "6.2.0"}}}, {"base_types", base_types}, {"user_types", user_types},
            {"enums", enums}, {"symbols", Json::object()}};
  }
};

}  // namespace

TEST_SUITE_BEGIN("needs-input");

TEST_CASE("ISF from the real 10.7.3 vtypes: every built-in layout field has the same offset and size") {
  std::ifstream in(kVtypes);
  if (!kdp::test::require_input(in.good(), "real 10.7.3 data (" + kVtypes + ")")) return;
  std::stringstream text;
  text << in.rdbuf();
  Converter converter;
  const std::string isf_text = converter.convert(Json::parse(text.str())).dump();
  MESSAGE("bitfields with impossible bit ranges left out: " << converter.dropped);
  auto isf = parse_isf(isf_text, "vtypes-as-isf.json");
  REQUIRE_MESSAGE(isf, (isf ? "" : isf.error().message()));
  CHECK((*isf)->struct_count() > 3000);

  auto builtin = std::dynamic_pointer_cast<const MapTypeProvider>(xnu1699_layouts(KernelConfig::kRelease));
  REQUIRE(builtin);
  size_t compared = 0;
  std::set<std::string> absent;
  for (const std::string& name : builtin->struct_names()) {
    // The built-in names for <sys/queue.h>'s anonymous link structs are kdpctl's own; in the
    // vtypes `list_head` is an unrelated pf struct (PROVENANCE.md: same-named types merged).
    if (kGenericLinkStructs.count(name)) continue;
    const StructType* mine = builtin->find(name);
    const StructType* theirs = (*isf)->find(name);
    if (theirs == nullptr) {
      absent.insert(name);
      continue;
    }
    for (const Field& f : mine->fields) {
      CAPTURE(name + "." + f.name);
      const Field* other = theirs->field(f.name);
      CHECK(other != nullptr);
      if (other == nullptr) continue;
      if (f.type.kind == TypeKind::kBitfield) {
        // vtypes bitfields carry no storage type (the converter guesses one): compare the bits.
        CHECK(8 * other->offset + other->type.bit_offset == 8 * f.offset + f.type.bit_offset);
        CHECK(other->type.bit_width == f.type.bit_width);
      } else {
        CHECK(other->offset == f.offset);
        CHECK(other->type.size == f.type.size);
      }
      ++compared;
    }
  }
  MESSAGE("compared " << compared << " fields; built-in structs the vtypes name differently: " << absent.size());
  // The structs the kgmacros walk must be among those compared.
  for (const char* core : {"proc", "task", "thread", "kmod_info", "ucred", "uthread", "vm_map", "zone", "processor"}) {
    CAPTURE(core);
    CHECK_FALSE(absent.count(core));
  }
  CHECK(compared > 200);
}

TEST_SUITE_END();
