#include "kgm/expr_types.h"

#include <array>
#include <string>
#include <vector>

namespace kdp::kgm::expr {
namespace {

struct ScalarTypedef {
  std::string_view name;
  uint64_t size;
  bool is_signed;
};
// The scalar typedefs kernel engineers cast to (xnu's <stdint.h>, <mach/*types.h>, LP64).
constexpr std::array<ScalarTypedef, 29> kScalarTypedefs = {{
    {"int8_t", 1, true},           {"uint8_t", 1, false},      {"int16_t", 2, true},
    {"uint16_t", 2, false},        {"int32_t", 4, true},       {"uint32_t", 4, false},
    {"int64_t", 8, true},          {"uint64_t", 8, false},     {"size_t", 8, false},
    {"ssize_t", 8, true},          {"uintptr_t", 8, false},    {"intptr_t", 8, true},
    {"vm_offset_t", 8, false},     {"vm_address_t", 8, false}, {"vm_size_t", 8, false},
    {"mach_vm_address_t", 8, false}, {"addr64_t", 8, false},   {"pid_t", 4, true},
    {"uid_t", 4, false},           {"gid_t", 4, false},        {"boolean_t", 4, true},
    {"natural_t", 4, false},       {"integer_t", 4, true},     {"kern_return_t", 4, true},
    {"u_int", 4, false},           {"u_long", 8, false},       {"u_char", 1, false},
    {"off_t", 8, true},            {"user_addr_t", 8, false},
}};

struct ObjectTypedef {
  std::string_view name;
  std::string_view target;  // struct name
  bool pointer;
};
// xnu's typedefs of kernel objects: task_t is a struct task *.
constexpr std::array<ObjectTypedef, 8> kObjectTypedefs = {{
    {"task_t", "task", true},          {"thread_t", "thread", true},     {"proc_t", "proc", true},
    {"processor_t", "processor", true}, {"zone_t", "zone", true},       {"kmod_info_t", "kmod_info", false},
    {"queue_head_t", "queue_entry", false}, {"queue_chain_t", "queue_entry", false},
}};

constexpr std::array<std::string_view, 14> kKeywords = {
    "struct", "union", "enum", "unsigned", "signed", "char", "short", "int", "long", "void", "_Bool", "bool",
    "const", "volatile"};

template <class Table>
auto find_in(const Table& table, std::string_view name) -> decltype(&table[0]) {
  for (const auto& entry : table)
    if (entry.name == name) return &entry;
  return nullptr;
}

std::vector<std::string> words_of(std::string_view text, unsigned& stars) {
  std::vector<std::string> words;
  std::string current;
  stars = 0;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '*') {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
      if (c == '*') ++stars;
    } else {
      if (stars) return {};  // a word after a '*': not a type name
      current += c;
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

Expected<TypeRef> aggregate_named(std::string_view keyword, const std::string& name, const TypeModel* types) {
  const TypeProvider* provider = types ? &types->provider() : nullptr;
  if (keyword == "enum") {
    const EnumType* e = provider ? provider->find_enum(name) : nullptr;
    if (!e) return Error(ErrorKind::kNotFound, "No enum type named " + name + ".");
    TypeRef t = enum_type(e->name, e->size);
    t.is_signed = e->is_signed;
    return t;
  }
  const StructType* s = provider ? provider->find(name) : nullptr;
  if (!s || s->is_union != (keyword == "union"))
    return Error(ErrorKind::kNotFound, "No " + std::string(keyword) + " type named " + name + ".");
  return s->is_union ? union_type(s->name, s->size) : struct_type(s->name, s->size);
}

// "unsigned long int", "char", "short": C's keyword spellings of the scalar types.
Expected<TypeRef> keyword_scalar(const std::vector<std::string>& words, std::string_view text) {
  bool is_unsigned = false, is_char = false, is_void = false, is_bool = false;
  int longs = 0, shorts = 0;
  for (const std::string& w : words) {
    if (w == "unsigned") is_unsigned = true;
    else if (w == "long") ++longs;
    else if (w == "short") ++shorts;
    else if (w == "char") is_char = true;
    else if (w == "void") is_void = true;
    else if (w == "_Bool" || w == "bool") is_bool = true;
    else if (w != "signed" && w != "int") return usage_error("A syntax error in expression, near `" + std::string(text) + "'.");
  }
  if (is_void) return void_type();
  if (is_bool) {
    TypeRef t = integer(1, false);
    t.kind = TypeKind::kBool;
    t.name = "_Bool";
    return t;
  }
  if (is_char) {
    TypeRef t = integer(1, !is_unsigned);
    t.kind = TypeKind::kChar;
    return t;
  }
  return integer(longs ? 8 : shorts ? 2 : 4, !is_unsigned);
}

Expected<TypeRef> base_type(const std::vector<std::string>& words, std::string_view text, const TypeModel* types) {
  const std::string& first = words.front();
  if (first == "struct" || first == "union" || first == "enum") {
    if (words.size() != 2) return usage_error("A syntax error in expression, near `" + std::string(text) + "'.");
    return aggregate_named(first, words[1], types);
  }
  if (words.size() == 1) {
    if (const ScalarTypedef* t = find_in(kScalarTypedefs, first)) {
      TypeRef r = int_type(std::string(t->name), t->size, t->is_signed);
      return r;
    }
    if (const ObjectTypedef* t = find_in(kObjectTypedefs, first)) {
      KDP_TRY(TypeRef target, aggregate_named("struct", std::string(t->target), types));
      return t->pointer ? pointer_to(std::move(target)) : target;
    }
    if (types && types->provider().find(first)) return aggregate_named("struct", first, types);
  }
  return keyword_scalar(words, text);
}

}  // namespace

TypeRef integer(uint64_t size, bool is_signed) {
  switch (size) {
    case 1: return int_type(is_signed ? "char" : "unsigned char", 1, is_signed);
    case 2: return int_type(is_signed ? "short" : "unsigned short", 2, is_signed);
    case 8: return int_type(is_signed ? "long" : "unsigned long", 8, is_signed);
    default: return int_type(is_signed ? "int" : "unsigned int", 4, is_signed);
  }
}

TypeRef int_type_c() { return integer(4, true); }
TypeRef unsigned_long_type() { return integer(8, false); }

TypeRef void_type() {
  TypeRef t;
  t.kind = TypeKind::kVoid;
  t.name = "void";
  t.size = 1;  // gdb's sizeof(void), and the scale of void * arithmetic
  return t;
}

TypeRef function_type() {
  TypeRef t;
  t.kind = TypeKind::kFunction;
  t.size = 1;
  return t;
}

TypeRef pointer_to(TypeRef target) {
  TypeRef t = pointer_type(target.kind == TypeKind::kVoid ? "void" : target.name);
  t.element = std::make_shared<const TypeRef>(std::move(target));
  return t;
}

bool is_integer_like(const TypeRef& t) {
  return t.kind == TypeKind::kInteger || t.kind == TypeKind::kChar || t.kind == TypeKind::kBool ||
         t.kind == TypeKind::kEnum;
}

bool is_scalar(const TypeRef& t) { return is_integer_like(t) || t.kind == TypeKind::kPointer; }

TypeRef promoted(const TypeRef& t) {
  if (t.size < 4) return int_type_c();
  return integer(t.size, t.is_signed);
}

TypeRef common_type(const TypeRef& a, const TypeRef& b) {
  const TypeRef pa = promoted(a), pb = promoted(b);
  if (pa.size != pb.size) return pa.size > pb.size ? pa : pb;
  return integer(pa.size, pa.is_signed && pb.is_signed);
}

int64_t sign_extend(uint64_t bits, uint64_t size) {
  if (size >= 8) return static_cast<int64_t>(bits);
  const unsigned shift = static_cast<unsigned>(64 - 8 * size);
  return static_cast<int64_t>(bits << shift) >> shift;
}

uint64_t truncate(uint64_t bits, uint64_t size) {
  return size >= 8 ? bits : bits & ((uint64_t{1} << (8 * size)) - 1);
}

bool starts_type_name(std::string_view word, const TypeModel* types) {
  if (word.empty()) return false;
  for (std::string_view k : kKeywords)
    if (k == word) return true;
  if (find_in(kScalarTypedefs, word) || find_in(kObjectTypedefs, word)) return true;
  return word.ends_with("_t") && types && types->provider().find(word);
}

Expected<TypeRef> type_named(std::string_view text, const TypeModel* types) {
  unsigned stars = 0;
  std::vector<std::string> words = words_of(text, stars);
  std::erase_if(words, [](const std::string& w) { return w == "const" || w == "volatile"; });
  if (words.empty()) return usage_error("A syntax error in expression, near `" + std::string(text) + "'.");
  if (!starts_type_name(words.front(), types))
    return Error(ErrorKind::kNotFound, "No symbol \"" + words.front() + "\" in current context.");
  KDP_TRY(TypeRef type, base_type(words, text, types));
  for (unsigned i = 0; i < stars; ++i) type = pointer_to(std::move(type));
  return type;
}

}  // namespace kdp::kgm::expr
