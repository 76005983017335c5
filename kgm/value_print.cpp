#include "kgm/value_print.h"

#include "kdp/base/json.h"
#include "kgm/c_decl.h"
#include "kgm/gdb_text.h"
#include "kgm/ptype.h"

namespace kdp::kgm {
namespace {

std::string spaces(size_t n) { return std::string(n, ' '); }

std::string array_text(const Value& v, unsigned recurse) {
  std::string text = "{";
  for (size_t i = 0; i < v.runs.size(); ++i) {
    const ArrayRun& run = v.runs[i];
    text += (i ? ", " : "") + value_text(run.element.front(), recurse + 1);
    if (run.count > 1) text += " <repeats " + std::to_string(run.count) + " times>";
  }
  return text + (v.truncated ? "..." : "") + "}";
}

std::string aggregate_text(const Value& v, unsigned recurse) {
  if (v.members.empty()) return "{<No data fields>}";
  std::string text = "{\n";
  for (size_t i = 0; i < v.members.size(); ++i) {
    const auto& [name, member] = v.members[i];
    text += spaces(2 * (recurse + 1)) + name + " = " + value_text(member, recurse + 1);
    text += i + 1 < v.members.size() ? ",\n" : "\n";
  }
  return text + spaces(2 * recurse) + "}";
}

}  // namespace

Expected<Value> read_typed_value(Memory& memory, const TypeModel& types, std::string_view type_text,
                                 uint64_t address, const DecodeOptions& options) {
  KDP_TRY(NamedType named, lookup_named_type(types, type_text));
  TypeRef type;
  if (named.enumeration) {
    type = enum_type(named.enumeration->name, named.enumeration->size);
    type.is_signed = named.enumeration->is_signed;
  } else {
    const StructType& s = *named.aggregate;
    type = s.is_union ? union_type(s.name, s.size) : struct_type(s.name, s.size);
  }
  const std::string what = trim_blanks(type_text);
  if (type.size > kMaxPrintBytes)
    return usage_error(what + " is " + std::to_string(type.size) + " bytes: larger than print reads (" +
                       std::to_string(kMaxPrintBytes) + ")");
  auto bytes = memory.read(address, type.size);
  if (!bytes) return std::move(bytes).error().context("cannot read " + what + " at " + hex(address));
  auto value = decode_value(type, *bytes, types.provider(), options);
  if (!value) return std::move(value).error().context(what + " at " + hex(address) + " in " + types.description());
  return value;
}

std::string value_text(const Value& value, unsigned recurse) {
  switch (value.kind) {
    case Value::Kind::kScalar: return value.text;
    case Value::Kind::kElided: return "{...}";
    case Value::Kind::kString: return gdb_string_literal(value.string_bytes, value.truncated);
    case Value::Kind::kArray: return array_text(value, recurse);
    case Value::Kind::kAggregate: return aggregate_text(value, recurse);
  }
  return value.text;
}

std::string value_json(const Value& value, unsigned max_elements) {
  switch (value.kind) {
    case Value::Kind::kScalar: return value.json;
    case Value::Kind::kElided: return "null";
    case Value::Kind::kString: {
      const Bytes& s = value.string_bytes;
      size_t end = 0;
      while (end < s.size() && s[end] != 0) ++end;
      return json_quote(std::string_view(reinterpret_cast<const char*>(s.data()), end));
    }
    case Value::Kind::kArray: {
      std::string text = "[";
      uint64_t written = 0;
      for (const ArrayRun& run : value.runs)
        for (uint64_t k = 0; k < run.count && written < max_elements; ++k, ++written)
          text += (written ? "," : "") + value_json(run.element.front(), max_elements);
      return text + "]";
    }
    case Value::Kind::kAggregate: {
      std::string text = "{";
      for (size_t i = 0; i < value.members.size(); ++i)
        text += (i ? "," : "") + json_quote(value.members[i].name) + ":" + value_json(value.members[i].value, max_elements);
      return text + "}";
    }
  }
  return "null";
}

}  // namespace kdp::kgm
