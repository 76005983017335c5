// Test support: the 10.7.3 kernel's Volatility-2 vtypes (../shared/data/.../vtypes.json, format in
// its PROVENANCE.md) converted at test time into a Volatility 3 ISF document, so the ISF importer
// and --types can be checked on real types without copying the shared files into the repository.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace kdp::test {

using Json = nlohmann::json;

inline std::string vtypes_path(const std::string& shared_dir) {
  return shared_dir + "/data/xnu-1699.24.23-lion-10.7.3/vtypes.json";
}

// x86_64 sizes of the C base types the vtypes use.
inline const std::map<std::string, std::pair<int, bool>> kVtypesBaseTypes = {
    {"char", {1, true}},          {"signed char", {1, true}},         {"unsigned char", {1, false}},
    {"short", {2, true}},         {"unsigned short", {2, false}},     {"int", {4, true}},
    {"unsigned int", {4, false}}, {"long", {8, true}},                {"unsigned long", {8, false}},
    {"long long", {8, true}},     {"unsigned long long", {8, false}}, {"void", {0, false}},
    {"pointer", {8, false}}};

struct VtypesConverter {
  Json enums = Json::object();
  int enum_count = 0;
  int dropped = 0;  // bitfields the vtypes got wrong (DWARF 2 bit offsets gone negative)

  static bool sane_bits(const Json& spec) {
    if (spec.at(0) != "BitField") return true;
    // Read as double: the broken ones hold -1.8e19, which no integer type can take.
    const double start = spec.at(1).at("start_bit").get<double>(), end = spec.at(1).at("end_bit").get<double>();
    return start >= 0 && end > start && end <= 64;
  }

  static Json symbol_section(const std::map<std::string, uint64_t>& symbols) {
    Json out = Json::object();
    for (const auto& [name, address] : symbols) out["_" + name] = {{"address", address}};
    return out;
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
      enums[name] = {{"size", kVtypesBaseTypes.at(base).first}, {"base", base}, {"constants", constants}};
      return {{"kind", "enum"}, {"name", name}};
    }
    if (kVtypesBaseTypes.count(kind)) return {{"kind", "base"}, {"name", kind}};
    return {{"kind", "struct"}, {"name", kind}};
  }

  // `symbols`: name -> address for the ISF's symbols section (vtypes have none).
  Json convert(const Json& vtypes, const std::map<std::string, uint64_t>& symbols = {}) {
    Json base_types = Json::object();
    for (const auto& [name, info] : kVtypesBaseTypes)
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
            {"enums", enums}, {"symbols", symbol_section(symbols)}};
  }
};

}  // namespace kdp::test
