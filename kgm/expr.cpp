#include "kgm/expr.h"

#include <array>

#include "kdp/base/bytes.h"
#include "kgm/c_decl.h"
#include "kgm/expr_parse.h"
#include "kgm/expr_types.h"

namespace kdp::kgm {
namespace {

using expr::Node;
using expr::NodeKind;

constexpr std::array<std::string_view, 22> kRegisterNames = {
    "rax", "rbx", "rcx", "rdx", "rdi", "rsi", "rbp", "rsp", "r8",  "r9",  "r10",
    "r11", "r12", "r13", "r14", "r15", "rip", "rflags", "cs", "fs", "gs", "eflags"};

// gdb's $pc, $sp and $fp name the x86_64 registers that hold them.
std::string_view register_alias(std::string_view name) {
  if (name == "pc") return "rip";
  if (name == "sp") return "rsp";
  if (name == "fp") return "rbp";
  if (name == "eflags") return "rflags";
  return name;
}

bool is_register(std::string_view name) {
  name = register_alias(name);
  for (std::string_view r : kRegisterNames)
    if (r == name) return true;
  return false;
}

// gdb's types of the registers: $pc a code pointer, $sp and $fp data pointers, the rest long.
TypeRef register_type(std::string_view name) {
  if (name == "rip") return expr::pointer_to(expr::function_type());
  if (name == "rsp" || name == "rbp") return expr::pointer_to(expr::void_type());
  if (name == "rflags" || name == "cs" || name == "fs" || name == "gs") return expr::int_type_c();
  return expr::integer(8, true);
}

const TypeProvider& empty_provider() {
  static const MapTypeProvider provider("no types");
  return provider;
}

const TypeModel* model_of(const ExprContext& c) { return c.types ? c.types() : nullptr; }

const TypeProvider& provider_of(const ExprContext& c) {
  const TypeModel* model = model_of(c);
  return model ? model->provider() : empty_provider();
}

ExprValue rvalue(TypeRef type, uint64_t bits) {
  ExprValue v;
  v.bits = expr::truncate(bits, type.size);
  v.type = std::move(type);
  return v;
}

bool is_true(const ExprValue& v) { return v.bits != 0; }

class Evaluator {
 public:
  explicit Evaluator(const ExprContext& context) : c_(context) {}

  Expected<ExprValue> eval(const Node& n);
  // For sizeof: the operand's type without reading memory.
  bool reading_ = true;

 private:
  Expected<ExprValue> symbol(const std::string& name);
  Expected<ExprValue> dollar(const std::string& name);
  Expected<ExprValue> unary(const Node& n);
  Expected<ExprValue> binary(const Node& n);
  Expected<ExprValue> arithmetic(const std::string& op, const ExprValue& a, const ExprValue& b);
  Expected<ExprValue> pointer_arithmetic(const std::string& op, const ExprValue& a, const ExprValue& b);
  Expected<ExprValue> member(const Node& n);
  Expected<ExprValue> index(const Node& n);
  Expected<ExprValue> cast(const Node& n);
  Expected<ExprValue> assign(const Node& n);
  Expected<ExprValue> dereference(const ExprValue& pointer);
  Expected<ExprValue> in_memory(TypeRef type, uint64_t address);
  Expected<ExprValue> bitfield(const TypeRef& type, uint64_t address);
  Expected<uint64_t> load(uint64_t address, uint64_t size);
  Expected<ExprValue> scalar_of(const Node& n);  // eval, then arrays and functions decay

  const ExprContext& c_;
};

// Arrays and functions used as values are pointers to their first element / to their code.
ExprValue decay(const ExprValue& v) {
  if (v.type.kind == TypeKind::kFunction) return rvalue(expr::pointer_to(v.type), v.address);
  if (v.type.kind == TypeKind::kArray && v.place == ExprValue::Place::kMemory) {
    TypeRef element = v.type.element ? *v.type.element : expr::integer(1, true);
    return rvalue(expr::pointer_to(std::move(element)), v.address);
  }
  return v;
}

Expected<ExprValue> Evaluator::scalar_of(const Node& n) {
  KDP_TRY(ExprValue v, eval(n));
  v = decay(v);
  if (!expr::is_scalar(v.type)) {
    if (v.type.kind == TypeKind::kVoid) return usage_error("Attempt to use a type name as an expression");
    return usage_error("Argument to arithmetic operation not a number or boolean.");
  }
  return v;
}

Expected<uint64_t> Evaluator::load(uint64_t address, uint64_t size) {
  if (!reading_) return uint64_t{0};
  if (c_.memory == nullptr)
    return usage_error("Cannot access memory at address " + hex(address) +
                       ": reading memory needs a connected target or a core file");
  KDP_TRY(Bytes bytes, c_.memory->read(address, size));
  ByteReader r(bytes);
  uint64_t bits = 0;
  for (uint64_t i = 0; i < size && i < 8; ++i) {
    KDP_TRY(uint8_t byte, r.u8("value"));
    bits |= uint64_t{byte} << (8 * i);
  }
  return bits;
}

Expected<ExprValue> Evaluator::in_memory(TypeRef type, uint64_t address) {
  if (type.kind == TypeKind::kBitfield) return bitfield(type, address);
  ExprValue v;
  v.place = ExprValue::Place::kMemory;
  v.address = address;
  if (expr::is_scalar(type) || type.kind == TypeKind::kFloat) {
    KDP_TRY(v.bits, load(address, type.size));
  }
  v.type = std::move(type);
  return v;
}

// A bitfield reads as its declared type (unsigned int when unknown), an rvalue.
Expected<ExprValue> Evaluator::bitfield(const TypeRef& type, uint64_t address) {
  KDP_TRY(uint64_t unit, load(address, type.size));
  const uint64_t mask = type.bit_width >= 64 ? ~uint64_t{0} : (uint64_t{1} << type.bit_width) - 1;
  uint64_t bits = (unit >> type.bit_offset) & mask;
  TypeRef declared = type.bit_base ? *type.bit_base : expr::integer(4, false);
  if (declared.is_signed && type.bit_width > 0 && type.bit_width < 64 && (bits >> (type.bit_width - 1)) & 1)
    bits |= ~mask;
  return rvalue(std::move(declared), bits);
}

Expected<ExprValue> Evaluator::symbol(const std::string& name) {
  if (c_.symbols == nullptr)
    return Error(ErrorKind::kNotFound, "No symbol table is loaded (no kernel file): cannot look up \"" + name + "\".");
  auto address = c_.symbols->address_of(name);
  if (!address) return Error(ErrorKind::kNotFound, "No symbol \"" + name + "\" in current context.");
  std::optional<TypeRef> declared = c_.symbol_type ? c_.symbol_type(name, *address) : std::nullopt;
  if (declared && declared->kind == TypeKind::kFunction) {
    ExprValue f;
    f.type = *declared;
    f.place = ExprValue::Place::kMemory;
    f.address = *address;
    return f;
  }
  return in_memory(declared ? *declared : expr::unsigned_long_type(), *address);
}

Expected<ExprValue> Evaluator::dollar(const std::string& name) {
  if (is_register(name)) {
    const std::string_view reg = register_alias(name);
    if (!c_.read_register) return usage_error("$" + name + ": registers need a connected target or a core file");
    ExprValue v = rvalue(register_type(reg), 0);
    if (reading_) {
      KDP_TRY(uint64_t bits, c_.read_register(reg));
      v = rvalue(register_type(reg), bits);
    }
    v.place = ExprValue::Place::kRegister;
    v.name = std::string(reg);
    return v;
  }
  const bool history = name.empty() || name.front() == '$' || (name.front() >= '0' && name.front() <= '9');
  std::optional<ExprValue> found = c_.variable ? c_.variable(name) : std::nullopt;
  if (found) return *found;
  if (history) {
    if (name.empty() || name == "$") return usage_error("History is empty.");
    return usage_error("History has not yet reached $" + name + ".");
  }
  ExprValue v;  // gdb: an unset convenience variable is void
  v.type = expr::void_type();
  v.place = ExprValue::Place::kVariable;
  v.name = name;
  return v;
}

Expected<ExprValue> Evaluator::dereference(const ExprValue& pointer) {
  if (expr::is_integer_like(pointer.type))  // kdpctl reads an address-sized word, gdb an int
    return in_memory(expr::unsigned_long_type(), pointer.bits);
  if (pointer.type.kind != TypeKind::kPointer) return usage_error("Attempt to take contents of a non-pointer value.");
  TypeRef target = pointer_target(pointer.type, provider_of(c_));
  if (target.kind == TypeKind::kVoid) return usage_error("Attempt to take contents of a non-pointer value.");
  if (target.kind == TypeKind::kFunction) {
    ExprValue f;
    f.type = std::move(target);
    f.place = ExprValue::Place::kMemory;
    f.address = pointer.bits;
    return f;
  }
  if (target.size == 0 && !target.is_aggregate())
    return usage_error("Attempt to take contents of a pointer to incomplete type " + target.name + ".");
  return in_memory(std::move(target), pointer.bits);
}

Expected<ExprValue> Evaluator::unary(const Node& n) {
  if (n.op == "&") {
    KDP_TRY(ExprValue v, eval(*n.a));
    if (v.place != ExprValue::Place::kMemory) return usage_error("Attempt to take address of value not located in memory.");
    return rvalue(expr::pointer_to(v.type), v.address);
  }
  KDP_TRY(ExprValue v, scalar_of(*n.a));
  if (n.op == "*") return dereference(v);
  if (n.op == "!") return rvalue(expr::int_type_c(), is_true(v) ? 0 : 1);
  if (!expr::is_integer_like(v.type)) return usage_error("Argument to arithmetic operation not a number or boolean.");
  TypeRef type = expr::promoted(v.type);
  const uint64_t bits = v.type.is_signed ? static_cast<uint64_t>(expr::sign_extend(v.bits, v.type.size)) : v.bits;
  if (n.op == "-") return rvalue(type, uint64_t{0} - bits);
  if (n.op == "~") return rvalue(type, ~bits);
  return rvalue(type, bits);  // unary +
}

// Scale of pointer arithmetic: the target's size (1 for void and functions, as gdb).
uint64_t step_of(const TypeRef& pointer, const TypeProvider& provider) {
  TypeRef target = pointer_target(pointer, provider);
  return target.size == 0 ? 1 : target.size;
}

Expected<ExprValue> Evaluator::pointer_arithmetic(const std::string& op, const ExprValue& a, const ExprValue& b) {
  const bool pa = a.type.kind == TypeKind::kPointer, pb = b.type.kind == TypeKind::kPointer;
  const TypeProvider& provider = provider_of(c_);
  if (op == "-" && pa && pb) {
    const uint64_t step = step_of(a.type, provider);
    if (step != step_of(b.type, provider))
      return usage_error("First argument of `-' is a pointer and second argument is neither\nan integer nor a pointer of the same type.");
    return rvalue(expr::integer(8, true), static_cast<uint64_t>(static_cast<int64_t>(a.bits - b.bits) / static_cast<int64_t>(step)));
  }
  const ExprValue& pointer = pa ? a : b;
  const ExprValue& offset = pa ? b : a;
  if ((op != "+" && op != "-") || (op == "-" && !pa) || !expr::is_integer_like(offset.type))
    return usage_error("Argument to arithmetic operation not a number or boolean.");
  const uint64_t count = offset.type.is_signed ? static_cast<uint64_t>(expr::sign_extend(offset.bits, offset.type.size)) : offset.bits;
  const uint64_t delta = count * step_of(pointer.type, provider);
  return rvalue(pointer.type, op == "+" ? pointer.bits + delta : pointer.bits - delta);
}

// `v` converted to the integer type `to`, as 64 bits: sign-extended from `to`'s width when `to` is
// signed, so 64-bit signed arithmetic and comparison give the narrower type's results.
uint64_t converted(const ExprValue& v, const TypeRef& to) {
  const uint64_t widened = v.type.is_signed ? static_cast<uint64_t>(expr::sign_extend(v.bits, v.type.size)) : v.bits;
  const uint64_t narrowed = expr::truncate(widened, to.size);
  return to.is_signed ? static_cast<uint64_t>(expr::sign_extend(narrowed, to.size)) : narrowed;
}

bool is_comparison(const std::string& op) {
  return op == "==" || op == "!=" || op == "<" || op == ">" || op == "<=" || op == ">=";
}

Expected<ExprValue> compare(const std::string& op, uint64_t x, uint64_t y, bool is_signed) {
  const int64_t sx = static_cast<int64_t>(x), sy = static_cast<int64_t>(y);
  bool r = false;
  if (op == "==") r = x == y;
  else if (op == "!=") r = x != y;
  else if (op == "<") r = is_signed ? sx < sy : x < y;
  else if (op == ">") r = is_signed ? sx > sy : x > y;
  else if (op == "<=") r = is_signed ? sx <= sy : x <= y;
  else r = is_signed ? sx >= sy : x >= y;
  return rvalue(expr::int_type_c(), r ? 1 : 0);
}

Expected<ExprValue> integer_operation(const std::string& op, uint64_t x, uint64_t y, const TypeRef& type) {
  const bool s = type.is_signed;
  const int64_t sx = static_cast<int64_t>(x), sy = static_cast<int64_t>(y);
  if ((op == "/" || op == "%") && y == 0) return usage_error("Division by zero");
  // INT64_MIN / -1 overflows in C++; the target's arithmetic wraps to INT64_MIN (and % to 0).
  const bool overflow = s && sy == -1 && sx == INT64_MIN;
  uint64_t r = 0;
  if (op == "+") r = x + y;
  else if (op == "-") r = x - y;
  else if (op == "*") r = x * y;
  else if (op == "/") r = overflow ? x : s ? static_cast<uint64_t>(sx / sy) : x / y;
  else if (op == "%") r = overflow ? 0 : s ? static_cast<uint64_t>(sx % sy) : x % y;
  else if (op == "&") r = x & y;
  else if (op == "|") r = x | y;
  else if (op == "^") r = x ^ y;
  else if (op == "<<") r = y >= 64 ? 0 : x << y;
  else if (op == ">>") r = y >= 64 ? (s && sx < 0 ? ~uint64_t{0} : 0) : s ? static_cast<uint64_t>(sx >> y) : x >> y;
  return rvalue(type, r);
}

Expected<ExprValue> Evaluator::arithmetic(const std::string& op, const ExprValue& a, const ExprValue& b) {
  const bool pointers = a.type.kind == TypeKind::kPointer || b.type.kind == TypeKind::kPointer;
  if (is_comparison(op)) {
    if (pointers) return compare(op, a.bits, b.bits, false);
    const TypeRef type = expr::common_type(a.type, b.type);
    return compare(op, converted(a, type), converted(b, type), type.is_signed);
  }
  if (pointers) return pointer_arithmetic(op, a, b);
  // A shift has its promoted left operand's type; other operators the operands' common type.
  const bool shift = op == "<<" || op == ">>";
  const TypeRef type = shift ? expr::promoted(a.type) : expr::common_type(a.type, b.type);
  const uint64_t x = converted(a, type);
  const uint64_t y = shift ? converted(b, expr::promoted(b.type)) : converted(b, type);
  return integer_operation(op, x, y, type);
}

Expected<ExprValue> Evaluator::binary(const Node& n) {
  if (n.op == "&&" || n.op == "||") {
    KDP_TRY(ExprValue a, scalar_of(*n.a));
    if (is_true(a) == (n.op == "||")) return rvalue(expr::int_type_c(), is_true(a) ? 1 : 0);
    KDP_TRY(ExprValue b, scalar_of(*n.b));
    return rvalue(expr::int_type_c(), is_true(b) ? 1 : 0);
  }
  KDP_TRY(ExprValue a, scalar_of(*n.a));
  KDP_TRY(ExprValue b, scalar_of(*n.b));
  return arithmetic(n.op, a, b);
}

// A member of a struct or union, looked for through unnamed members as gdb does.
const Field* find_member(const StructType& s, const std::string& name, const TypeProvider& provider, uint64_t& offset,
                         int depth = 0) {
  for (const Field& f : s.fields) {
    if (f.name == name) {
      offset += f.offset;
      return &f;
    }
    if (f.name.empty() && f.type.is_aggregate() && depth < 8)
      if (const StructType* inner = provider.find(f.type.name)) {
        uint64_t inner_offset = offset + f.offset;
        if (const Field* found = find_member(*inner, name, provider, inner_offset, depth + 1)) {
          offset = inner_offset;
          return found;
        }
      }
  }
  return nullptr;
}

Expected<ExprValue> Evaluator::member(const Node& n) {
  KDP_TRY(ExprValue v, eval(*n.a));
  if (v.type.kind == TypeKind::kPointer) {  // gdb takes `p.f` for `p->f` and the other way round
    KDP_TRY(v, dereference(v));
  }
  if (!v.type.is_aggregate())
    return usage_error("Attempt to extract a component of a value that is not a structure" +
                       std::string(n.op == "->" ? " pointer." : "."));
  const StructType* s = provider_of(c_).find(v.type.name);
  if (s == nullptr) return Error(ErrorKind::kNotFound, "No struct type named " + v.type.name + ".");
  uint64_t offset = 0;
  const Field* f = find_member(*s, n.text, provider_of(c_), offset);
  if (f == nullptr) return Error(ErrorKind::kNotFound, "There is no member named " + n.text + ".");
  if (v.place != ExprValue::Place::kMemory) return usage_error("Attempt to take address of value not located in memory.");
  return in_memory(f->type, v.address + offset);
}

Expected<ExprValue> Evaluator::index(const Node& n) {
  KDP_TRY(ExprValue base, scalar_of(*n.a));
  KDP_TRY(ExprValue i, scalar_of(*n.b));
  if (base.type.kind != TypeKind::kPointer) {
    if (i.type.kind != TypeKind::kPointer) return usage_error("cannot subscript something of type `" + type_text(base.type, c_) + "'");
    std::swap(base, i);  // C's i[p]
  }
  KDP_TRY(ExprValue element, pointer_arithmetic("+", base, i));
  return dereference(element);
}

// C's conversions: between scalars (truncation, sign extension); a struct only to itself.
Expected<ExprValue> Evaluator::cast(const Node& n) {
  KDP_TRY(TypeRef to, expr::type_named(n.text, model_of(c_)));
  KDP_TRY(ExprValue v, eval(*n.a));
  if (to.is_aggregate()) {
    if (v.type.is_aggregate() && v.type.name == to.name) return v;
    return usage_error("Invalid cast.");
  }
  v = decay(v);
  if (to.kind == TypeKind::kVoid) return rvalue(std::move(to), 0);
  if (!expr::is_scalar(v.type) || !(expr::is_scalar(to))) return usage_error("Invalid cast.");
  const uint64_t bits = v.type.is_signed ? static_cast<uint64_t>(expr::sign_extend(v.bits, v.type.size)) : v.bits;
  if (to.kind == TypeKind::kBool) return rvalue(std::move(to), bits != 0);
  return rvalue(std::move(to), bits);
}

Expected<ExprValue> Evaluator::assign(const Node& n) {
  KDP_TRY(ExprValue target, eval(*n.a));
  KDP_TRY(ExprValue value, eval(*n.b));
  if (!target.is_lvalue()) return usage_error("Left operand of assignment is not an lvalue.");
  if (!c_.assign) return usage_error("Assignments need `set var EXPR = VALUE`.");
  value = decay(value);
  if (target.place != ExprValue::Place::kVariable) {  // stored as the target's type
    if (!expr::is_scalar(target.type) || !expr::is_scalar(value.type))
      return usage_error("Invalid cast.");
    const uint64_t bits = value.type.is_signed ? static_cast<uint64_t>(expr::sign_extend(value.bits, value.type.size)) : value.bits;
    ExprValue stored = rvalue(target.type, bits);
    stored.place = target.place, stored.address = target.address, stored.name = target.name;
    value = std::move(stored);
  } else {
    value.place = target.place;
    value.name = target.name;
  }
  KDP_TRY_STATUS(c_.assign(target, value));
  return value;
}

Expected<ExprValue> Evaluator::eval(const Node& n) {
  switch (n.kind) {
    case NodeKind::kNumber: {
      const uint64_t size = n.number_long ? 8 : 4;
      return rvalue(expr::integer(size, !n.number_unsigned), n.number);
    }
    case NodeKind::kSymbol: return symbol(n.text);
    case NodeKind::kDollar: return dollar(n.text);
    case NodeKind::kUnary: return unary(n);
    case NodeKind::kBinary: return binary(n);
    case NodeKind::kAssign: return assign(n);
    case NodeKind::kMember: return member(n);
    case NodeKind::kIndex: return index(n);
    case NodeKind::kCast: return cast(n);
    case NodeKind::kSizeofType: {
      KDP_TRY(TypeRef t, expr::type_named(n.text, model_of(c_)));
      return rvalue(expr::unsigned_long_type(), t.size);
    }
    case NodeKind::kSizeofExpr: {
      const bool was = reading_;
      reading_ = false;
      auto v = eval(*n.a);
      reading_ = was;
      if (!v) return std::move(v).error();
      return rvalue(expr::unsigned_long_type(), v->type.size);
    }
  }
  return usage_error("unsupported expression");
}

}  // namespace

Expected<ExprValue> evaluate(std::string_view text, const ExprContext& context) {
  // Only a `_t` word that is no keyword or known typedef needs the kernel's types to decide.
  const auto is_type_name = [&context](std::string_view word) {
    return expr::starts_type_name(word, nullptr) || (word.ends_with("_t") && expr::starts_type_name(word, model_of(context)));
  };
  KDP_TRY(auto tree, expr::parse(text, is_type_name));
  return Evaluator(context).eval(*tree);
}

Expected<uint64_t> value_as_address(const ExprValue& value, const ExprContext&) {
  const ExprValue v = decay(value);
  if (!expr::is_scalar(v.type)) return usage_error("Value can't be converted to integer.");
  return v.type.is_signed ? static_cast<uint64_t>(expr::sign_extend(v.bits, v.type.size)) : v.bits;
}

Expected<uint64_t> evaluate_address(std::string_view text, const ExprContext& context) {
  KDP_TRY(ExprValue v, evaluate(text, context));
  return value_as_address(v, context);
}

Expected<int64_t> value_as_signed(const ExprValue& value) {
  if (!expr::is_scalar(value.type)) return usage_error("Value can't be converted to integer.");
  return value.type.is_signed ? expr::sign_extend(value.bits, value.type.size) : static_cast<int64_t>(value.bits);
}

std::string type_text(const TypeRef& type, const ExprContext& context) {
  return declaration(type, "", provider_of(context));
}

Expected<TypeRef> parse_type_name(std::string_view text, const ExprContext& context) {
  return expr::type_named(text, model_of(context));
}

}  // namespace kdp::kgm
