#include "kgm/ptype.h"

#include <algorithm>
#include <cstdio>

#include "kdp/base/json.h"
#include "kgm/c_decl.h"

namespace kdp::kgm {
namespace {

constexpr int kOffsetColumns = 27;    // width of "/* offset      |    size */"
constexpr unsigned kMaxNesting = 16;  // nested structs spelled out (the importer refuses cycles)

std::string spaces(size_t n) { return std::string(n, ' '); }

std::string printf_string(const char* format, unsigned long long a, unsigned long long b = 0) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, a, b);
  return buffer;
}

std::string_view strip_word(std::string_view text, std::string_view word) {
  if (text.size() > word.size() && text.substr(0, word.size()) == word && text[word.size()] == ' ')
    return text.substr(word.size() + 1);
  return {};
}

class Printer {
 public:
  Printer(const TypeProvider& provider, bool offsets) : provider_(provider), offsets_(offsets) {}

  std::string aggregate(const StructType& s) {
    out_ = offsets_ ? "/* offset      |    size */  type = " : "type = ";
    out_ += header(s) + " {\n";
    body(s, 0, 0, 0);
    if (offsets_) out_ += spaces(kOffsetColumns + 2);
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  static std::string header(const StructType& s) {
    const char* keyword = s.is_union ? "union" : "struct";
    return is_anonymous_name(s.name) ? keyword : std::string(keyword) + " " + s.name;
  }

  // Fields of `s` at `level` (gdb's indentation: 4 more per nesting), `base` its offset in the
  // outermost struct (for /o).
  void body(const StructType& s, unsigned level, uint64_t base, unsigned depth) {
    if (s.fields.empty()) out_ += (offsets_ ? spaces(kOffsetColumns) : "") + spaces(level + 4) + "<no data fields>\n";
    uint64_t end_bit = 0;  // one past the last bit the previous field used (relative to s)
    for (const Field& f : s.fields) {
      if (offsets_) out_ += offset_comment(s, f, base, end_bit);
      const StructType* nested = expandable(f.type, depth);
      if (nested == nullptr) {
        out_ += spaces(level + 4) + declaration(f.type, f.name, provider_) + ";\n";
        continue;
      }
      out_ += spaces(level + 4) + header(*nested) + " {\n";
      body(*nested, level + 4, base + f.offset, depth + 1);
      if (offsets_) out_ += spaces(kOffsetColumns);
      out_ += spaces(level + 4) + (f.name.empty() ? "};\n" : "} " + f.name + ";\n");  // C11 anonymous member
    }
    if (offsets_) finish(s, level, end_bit);
  }

  // /o expands every struct or union field; plain ptype only those without a name of their own.
  const StructType* expandable(const TypeRef& t, unsigned depth) const {
    if (!t.is_aggregate() || depth >= kMaxNesting) return nullptr;
    if (!offsets_ && (!is_anonymous_name(t.name) || !t.typedef_name.empty())) return nullptr;
    return provider_.find(t.name);
  }

  std::string offset_comment(const StructType& s, const Field& f, uint64_t base, uint64_t& end_bit) {
    if (s.is_union) {
      end_bit = std::max(end_bit, 8 * f.type.size);
      return printf_string("/*                %6llu */", f.type.size);
    }
    const uint64_t bit = 8 * f.offset + (f.type.kind == TypeKind::kBitfield ? f.type.bit_offset : 0);
    std::string text = hole(bit, end_bit, "hole");
    const uint64_t absolute = 8 * base + bit;
    if (f.type.kind == TypeKind::kBitfield) {
      text += printf_string("/* %6llu:%2llu  ", absolute / 8, absolute % 8);
      end_bit = bit + f.type.bit_width;
    } else {
      text += printf_string("/* %6llu     ", absolute / 8);
      end_bit = bit + 8 * f.type.size;
    }
    return text + printf_string(" |  %6llu */", f.type.size);
  }

  // gdb reports a gap only after some field has been placed (end_bit > 0).
  static std::string hole(uint64_t bit, uint64_t end_bit, const char* what) {
    if (end_bit == 0 || end_bit >= bit) return {};
    const uint64_t gap = bit - end_bit;
    std::string text;
    char buffer[64];
    if (gap % 8 != 0) {
      std::snprintf(buffer, sizeof buffer, "/* XXX %2llu-bit %-7s    */\n", static_cast<unsigned long long>(gap % 8), what);
      text += buffer;
    }
    if (gap / 8 != 0) {
      std::snprintf(buffer, sizeof buffer, "/* XXX %2llu-byte %-7s   */\n", static_cast<unsigned long long>(gap / 8), what);
      text += buffer;
    }
    return text;
  }

  void finish(const StructType& s, unsigned level, uint64_t end_bit) {
    out_ += hole(8 * s.size, end_bit, "padding");
    out_ += "\n" + spaces(kOffsetColumns + level + 4) + printf_string("/* total size (bytes): %4llu */\n", s.size);
  }

  const TypeProvider& provider_;
  bool offsets_;
  std::string out_;
};

std::string enum_text(const EnumType& e) {
  std::string text = "type = enum " + e.name + " {";
  int64_t next = 0;
  bool first = true;
  for (const auto& [name, value] : e.constants) {
    text += (first ? "" : ", ") + name;
    if (value != next) text += " = " + std::to_string(value);
    next = value + 1;
    first = false;
  }
  return text + "}\n";
}

}  // namespace

Expected<NamedType> lookup_named_type(const TypeModel& types, std::string_view text) {
  const std::string spelled = trim_blanks(text);
  const TypeProvider& provider = types.provider();
  auto missing = [&](std::string_view what) {
    return Error(ErrorKind::kNotFound, "no type '" + std::string(what) + "' in " + provider.description());
  };
  if (std::string_view name = strip_word(spelled, "enum"); !name.empty()) {
    if (const EnumType* e = provider.find_enum(trim_blanks(name))) return NamedType{nullptr, e};
    return missing(spelled);
  }
  for (const char* keyword : {"struct", "union"}) {
    std::string_view name = strip_word(spelled, keyword);
    if (name.empty()) continue;
    const StructType* s = provider.find(trim_blanks(name));
    if (s == nullptr || s->is_union != (std::string_view(keyword) == "union")) return missing(spelled);
    return NamedType{s, nullptr};
  }
  if (spelled.empty()) return usage_error("ptype: expected a type name (struct proc, union NAME, enum NAME)");
  if (const StructType* s = provider.find(spelled)) return NamedType{s, nullptr};
  if (const EnumType* e = provider.find_enum(spelled)) return NamedType{nullptr, e};
  return missing(spelled);
}

Expected<std::string> ptype_text(const TypeModel& types, std::string_view text, bool offsets) {
  KDP_TRY(NamedType named, lookup_named_type(types, text));
  if (named.enumeration) return enum_text(*named.enumeration);
  return Printer(types.provider(), offsets).aggregate(*named.aggregate);
}

Expected<std::string> ptype_json(const TypeModel& types, std::string_view text) {
  KDP_TRY(NamedType named, lookup_named_type(types, text));
  JsonWriter j;
  j.begin_object();
  if (named.enumeration) {
    const EnumType& e = *named.enumeration;
    j.field("type", "enum " + e.name).field("size", e.size).key("constants").begin_array();
    for (const auto& [name, value] : e.constants) j.begin_object().field("name", name).field("value", value).end_object();
    j.end_array();
  } else {
    const StructType& s = *named.aggregate;
    j.field("type", std::string(s.is_union ? "union " : "struct ") + s.name).field("size", s.size);
    j.key("fields").begin_array();
    for (const Field& f : s.fields) {
      j.begin_object().field("name", f.name).field("offset", f.offset).field("size", f.type.size);
      j.field("type", declaration(f.type, "", types.provider()));
      if (f.type.kind == TypeKind::kBitfield) j.field("bit_offset", f.type.bit_offset).field("bit_width", f.type.bit_width);
      j.end_object();
    }
    j.end_array();
  }
  j.field("source", types.description());
  return j.end_object().str();
}

}  // namespace kdp::kgm
