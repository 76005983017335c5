#include "kgm/value_tree.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "kdp/base/json.h"
#include "kgm/c_decl.h"
#include "kgm/gdb_text.h"
#include "kgm/object.h"

namespace kdp::kgm {
namespace {

Error short_value(const TypeRef& type, size_t have) {
  return malformed("value of " + std::to_string(type.size) + "-byte type '" + type.name + "' has only " +
                   std::to_string(have) + " bytes");
}

// The little-endian unsigned in the first `size` bytes (at most 8 of them are read).
Expected<uint64_t> load(ByteView bytes, uint64_t size) {
  ByteReader r(bytes, "value");
  return r.uint(std::min<uint64_t>(size, 8), "value");
}

int64_t sign_extend(uint64_t v, unsigned bits) {
  if (bits == 0 || bits >= 64) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  v &= (sign << 1) - 1;
  return static_cast<int64_t>((v ^ sign) - sign);
}

uint64_t mask(uint64_t v, unsigned bits) { return bits >= 64 ? v : v & ((uint64_t{1} << bits) - 1); }

Value scalar(std::string text, std::string json) {
  Value v;
  v.text = std::move(text);
  v.json = std::move(json);
  return v;
}

Value number(uint64_t raw, unsigned bits, bool is_signed, bool hex_form) {
  if (hex_form) return scalar(hex(mask(raw, bits)), std::to_string(mask(raw, bits)));
  if (is_signed) {
    const std::string s = std::to_string(sign_extend(raw, bits));
    return scalar(s, s);
  }
  const std::string s = std::to_string(mask(raw, bits));
  return scalar(s, s);
}

Value enum_value(const TypeProvider& provider, const std::string& name, uint64_t raw, unsigned bits, bool is_signed,
                 bool hex_form) {
  const EnumType* e = provider.find_enum(name);
  const int64_t v = is_signed ? sign_extend(raw, bits) : static_cast<int64_t>(mask(raw, bits));
  if (e != nullptr && !hex_form)
    if (const std::string* constant = e->name_of(v)) return scalar(*constant, json_quote(*constant));
  return number(raw, bits, is_signed, hex_form);
}

Value char_value(uint8_t c, bool is_signed, bool hex_form) {
  if (hex_form) return number(c, 8, false, true);
  const int64_t n = is_signed ? static_cast<int8_t>(c) : c;
  if (is_signed) return scalar(gdb_char_literal(static_cast<int8_t>(c)), std::to_string(n));
  return scalar(std::to_string(n) + " '" + gdb_escape_char(c, '\'') + "'", std::to_string(n));
}

Expected<Value> float_value(ByteView bytes, uint64_t size, bool hex_form) {
  KDP_TRY(const uint64_t raw, load(bytes, size));
  if (hex_form || (size != 4 && size != 8)) return number(raw, static_cast<unsigned>(8 * std::min<uint64_t>(size, 8)), false, true);
  double d;
  if (size == 4) {
    float f;
    const auto bits = static_cast<uint32_t>(raw);
    std::memcpy(&f, &bits, 4);
    d = f;
  } else {
    std::memcpy(&d, &raw, 8);
  }
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, size == 4 ? "%.9g" : "%.17g", d);
  return scalar(buffer, std::isfinite(d) ? buffer : json_quote(buffer));
}

class Decoder {
 public:
  Decoder(const TypeProvider& provider, const DecodeOptions& options) : provider_(provider), options_(options) {}

  Expected<Value> decode(const TypeRef& t, ByteView bytes, unsigned depth) const {
    if (t.kind != TypeKind::kBitfield && bytes.size() < t.size) return short_value(t, bytes.size());
    switch (t.kind) {
      case TypeKind::kStruct:
      case TypeKind::kUnion: return aggregate(t, bytes, depth);
      case TypeKind::kArray: return array(t, bytes, depth);
      case TypeKind::kPointer: return pointer(t, bytes);
      case TypeKind::kBitfield: return bitfield(t, bytes);
      case TypeKind::kChar: {
        KDP_TRY(const uint64_t c, load(bytes, 1));
        return char_value(static_cast<uint8_t>(c), t.is_signed, options_.hex);
      }
      case TypeKind::kBool: {
        KDP_TRY(const uint64_t b, load(bytes, t.size));
        if (!options_.hex && b <= 1) return b ? scalar("true", "true") : scalar("false", "false");
        return number(b, bits_of(t), false, options_.hex);
      }
      case TypeKind::kFloat: return float_value(bytes, t.size, options_.hex);
      case TypeKind::kEnum: {
        KDP_TRY(const uint64_t raw, load(bytes, t.size));
        return enum_value(provider_, t.name, raw, bits_of(t), t.is_signed, options_.hex);
      }
      case TypeKind::kVoid:
      case TypeKind::kFunction: return scalar("<" + t.name + ">", "null");
      case TypeKind::kInteger: break;
    }
    if (t.size > 8) return wide_integer(t, bytes);
    KDP_TRY(const uint64_t raw, load(bytes, t.size));
    return number(raw, bits_of(t), t.is_signed, options_.hex);
  }

 private:
  static unsigned bits_of(const TypeRef& t) { return static_cast<unsigned>(8 * std::min<uint64_t>(t.size, 8)); }

  // __int128 and friends: the bytes as one hex number, most significant first.
  static Value wide_integer(const TypeRef& t, ByteView bytes) {
    std::string text = "0x";
    static const char* digits = "0123456789abcdef";
    for (uint64_t i = t.size; i-- > 0;) {
      text += digits[bytes[i] >> 4];
      text += digits[bytes[i] & 15];
    }
    return scalar(text, json_quote(text));
  }

  Expected<Value> aggregate(const TypeRef& t, ByteView bytes, unsigned depth) const {
    Value v;
    v.kind = Value::Kind::kAggregate;
    const StructType* s = provider_.find(t.name);
    // gdb's words: a struct without a definition here, and one beyond max-depth.
    if (s == nullptr) return scalar("<incomplete type>", "null");
    if (depth >= options_.max_depth) {
      v.kind = Value::Kind::kElided;
      return v;
    }
    for (const Field& f : s->fields) {
      if (f.offset > bytes.size()) return short_value(t, bytes.size());
      const ByteView rest = bytes.subspan(static_cast<size_t>(f.offset));
      auto member = decode(f.type, rest, depth + 1);
      if (!member) return std::move(member).error().context(t.name + "." + f.name);
      v.members.push_back(Member{f.name, std::move(*member)});
    }
    return v;
  }

  Expected<Value> array(const TypeRef& t, ByteView bytes, unsigned depth) const {
    const TypeRef& element = *t.element;
    if (element.kind == TypeKind::kChar && !options_.hex) return char_array(t, bytes);
    Value v;
    v.kind = Value::Kind::kArray;
    uint64_t budget = options_.max_elements;
    for (uint64_t i = 0; i < t.count;) {
      if (budget == 0) {
        v.truncated = true;
        break;
      }
      const ByteView one = bytes.subspan(static_cast<size_t>(i * element.size), static_cast<size_t>(element.size));
      uint64_t run = 1;
      while (i + run < t.count && element.size > 0 &&
             std::memcmp(bytes.data() + (i + run) * element.size, one.data(), element.size) == 0)
        ++run;
      if (run <= kGdbRepeatThreshold) run = 1;  // short runs print element by element
      auto decoded = decode(element, one, depth + 1);
      if (!decoded) return std::move(decoded).error().context("[" + std::to_string(i) + "]");
      v.runs.push_back(ArrayRun{{std::move(*decoded)}, run});
      budget -= std::min<uint64_t>(budget, run > 1 ? kGdbRepeatThreshold : 1);
      i += run;
    }
    return v;
  }

  // gdb prints a char array as a string: all of it (not just up to the first NUL), less one
  // trailing NUL; long runs of one char fold into '<c>' <repeats N times>.
  Value char_array(const TypeRef& t, ByteView bytes) const {
    Value v;
    v.kind = Value::Kind::kString;
    uint64_t length = t.count;  // gdb_string_literal drops the one trailing NUL gdb does not show
    if (length > options_.max_elements) {
      length = options_.max_elements;
      v.truncated = true;
    }
    v.string_bytes.assign(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(length));
    return v;
  }

  Expected<Value> pointer(const TypeRef& t, ByteView bytes) const {
    KDP_TRY(const uint64_t address, load(bytes, t.size));
    Value v = scalar(hex(address), json_quote(hex(address)));
    if (address == 0) return v;
    if (options_.symbols != nullptr && options_.symbols->is_kernel_address(address))
      if (auto name = options_.symbols->format(address)) v.text += " <" + *name + ">";
    const TypeRef target = pointer_target(t, provider_);
    if (target.kind == TypeKind::kChar && options_.memory != nullptr) {
      auto text = read_c_string(*options_.memory, address, options_.max_elements);
      if (!text) {
        v.text += " <error: " + text.error().message() + ">";
      } else {
        std::string quoted = "\"";
        for (char c : text->text) quoted += gdb_escape_char(static_cast<uint8_t>(c), '"');
        v.text += " " + quoted + "\"" + (text->terminated ? "" : "...");
      }
    }
    return v;
  }

  Expected<Value> bitfield(const TypeRef& t, ByteView bytes) const {
    if (bytes.size() < t.size) return short_value(t, bytes.size());
    KDP_TRY(const uint64_t unit, load(bytes, t.size));
    const uint64_t raw = mask(unit >> t.bit_offset, t.bit_width);
    if (t.bit_base && t.bit_base->kind == TypeKind::kEnum)
      return enum_value(provider_, t.bit_base->name, raw, t.bit_width, t.is_signed, options_.hex);
    return number(raw, t.bit_width, t.is_signed, options_.hex);
  }

  const TypeProvider& provider_;
  const DecodeOptions& options_;
};

}  // namespace

Expected<Value> decode_value(const TypeRef& type, ByteView bytes, const TypeProvider& provider,
                             const DecodeOptions& options, unsigned depth) {
  return Decoder(provider, options).decode(type, bytes, depth);
}

}  // namespace kdp::kgm
