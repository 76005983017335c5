#include "kgm/expr_print.h"

#include "kdp/base/json.h"
#include "kgm/c_decl.h"
#include "kgm/expr_types.h"
#include "kgm/gdb_text.h"
#include "kgm/object.h"

namespace kdp::kgm {
namespace {

const TypeProvider& provider_of(const ExprContext& context) {
  static const MapTypeProvider none("no types");
  const TypeModel* model = context.types ? context.types() : nullptr;
  return model ? model->provider() : none;
}

std::string symbol_suffix(uint64_t address, const DecodeOptions& options) {
  if (!options.symbols) return {};
  auto sym = options.symbols->symbolize(address);
  if (!sym) return {};
  return " <" + sym->name + (sym->offset ? "+" + std::to_string(sym->offset) : "") + ">";
}

std::string binary_text(uint64_t v) {
  if (v == 0) return "0";
  std::string s;
  for (; v; v >>= 1) s.insert(s.begin(), static_cast<char>('0' + (v & 1)));
  return s;
}

std::string octal_text(uint64_t v) {
  if (v == 0) return "0";
  std::string s;
  for (; v; v >>= 3) s.insert(s.begin(), static_cast<char>('0' + (v & 7)));
  return "0" + s;
}

// print/FMT of a scalar, as gdb's print_scalar_formatted does it for one value.
std::string formatted_scalar(const ExprValue& v, char format, const DecodeOptions& options) {
  const uint64_t size = v.type.size == 0 ? 8 : std::min<uint64_t>(v.type.size, 8);
  const uint64_t bits = expr::truncate(v.bits, size);
  switch (format) {
    case 'x': return hex(bits);
    case 'z': {
      std::string digits = hex(bits).substr(2);
      return "0x" + std::string(2 * size - std::min<size_t>(digits.size(), 2 * size), '0') + digits;
    }
    case 'o': return octal_text(bits);
    case 't': return binary_text(bits);
    case 'u': return std::to_string(bits);
    case 'd': return std::to_string(expr::sign_extend(bits, size));
    case 'c': return gdb_char_literal(static_cast<int8_t>(bits & 0xff));
    case 'a': return hex(bits) + symbol_suffix(bits, options);
  }
  return std::to_string(bits);
}

Bytes little_endian(uint64_t bits, uint64_t size) {
  Bytes out;
  for (uint64_t i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(i < 8 ? bits >> (8 * i) : 0));
  return out;
}

bool points_to_char(const TypeRef& type, const TypeProvider& provider) {
  return type.kind == TypeKind::kPointer && pointer_target(type, provider).kind == TypeKind::kChar;
}

Expected<PrintedValue> scalar_value(const ExprValue& v, char format, const ExprContext& context,
                                    const DecodeOptions& options) {
  const TypeProvider& provider = provider_of(context);
  DecodeOptions natural = options;
  natural.hex = false;
  natural.symbols = nullptr;  // print's own <symbol+decimal> below, as gdb's print_address_symbolic
  KDP_TRY(Value decoded, decode_value(v.type, little_endian(v.bits, v.type.size), provider, natural));
  PrintedValue out{value_text(decoded), value_json(decoded)};
  if (v.type.kind == TypeKind::kPointer && v.bits != 0 && options.symbols && options.symbols->is_kernel_address(v.bits)) {
    const std::string hex_text = hex(v.bits);
    out.text.insert(hex_text.size(), symbol_suffix(v.bits, options));
  }
  if (format != 0 && format != 's') {
    out.text = formatted_scalar(v, format, options);
    return out;
  }
  // gdb shows a pointer's type before it, except for strings (char *), which show their text.
  if (v.type.kind == TypeKind::kPointer && !points_to_char(v.type, provider))
    out.text = "(" + type_text(v.type, context) + ") " + out.text;
  return out;
}

Expected<PrintedValue> memory_value(const ExprValue& v, char format, const ExprContext& context,
                                    const DecodeOptions& options) {
  if (format != 0 && format != 'x' && format != 's')
    return usage_error(std::string("print/") + format + " of a " + type_text(v.type, context) +
                       ": only print/x formats a struct or an array");
  if (v.place != ExprValue::Place::kMemory) return usage_error("Value is not in memory.");
  if (v.type.size > kMaxPrintBytes)
    return usage_error(type_text(v.type, context) + " is " + std::to_string(v.type.size) +
                       " bytes: larger than print reads (" + std::to_string(kMaxPrintBytes) + ")");
  if (!options.memory) return usage_error("reading memory needs a connected target or a core file");
  const std::string what = type_text(v.type, context);
  auto bytes = options.memory->read(v.address, v.type.size);
  if (!bytes) return std::move(bytes).error().context("cannot read " + what + " at " + hex(v.address));
  DecodeOptions decode = options;
  decode.hex = format == 'x';
  auto value = decode_value(v.type, *bytes, provider_of(context), decode);
  if (!value) return std::move(value).error().context(what + " at " + hex(v.address));
  return PrintedValue{value_text(*value), value_json(*value)};
}

// A char array of unknown bound (`version`): gdb, knowing the bound, shows the string it holds.
Expected<PrintedValue> unbounded_string(const ExprValue& v, const DecodeOptions& options) {
  if (!options.memory) return usage_error("reading memory needs a connected target or a core file");
  KDP_TRY(CString s, read_c_string(*options.memory, v.address, options.max_elements));
  std::string text = "\"";
  for (char c : s.text) text += gdb_escape_char(static_cast<uint8_t>(c), '"');
  text += s.terminated ? "\"" : "\"...";
  return PrintedValue{text, json_quote(s.text)};
}

}  // namespace

Expected<PrintedValue> print_value(const ExprValue& value, char format, const ExprContext& context,
                                   const DecodeOptions& options) {
  switch (value.type.kind) {
    case TypeKind::kVoid: return PrintedValue{"void", "null"};
    case TypeKind::kFunction: {
      const std::string address = hex(value.address);
      return PrintedValue{"{<text variable, no debug info>} " + address + symbol_suffix(value.address, options),
                          json_quote(address)};
    }
    case TypeKind::kStruct:
    case TypeKind::kUnion:
    case TypeKind::kArray:
      if (value.type.count == 0 && value.type.element && value.type.element->kind == TypeKind::kChar)
        return unbounded_string(value, options);
      return memory_value(value, format, context, options);
    default: return scalar_value(value, format, context, options);
  }
}

}  // namespace kdp::kgm
