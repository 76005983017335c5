#include "kgm/c_decl.h"

namespace kdp::kgm {
namespace {

std::string unsigned_name_for(uint64_t size) {
  switch (size) {
    case 1: return "unsigned char";
    case 2: return "unsigned short";
    case 8: return "unsigned long long";
    default: return "unsigned int";
  }
}

}  // namespace

bool is_anonymous_name(std::string_view name) {
  return name.empty() || name.starts_with("$") || name.starts_with("unnamed_") || name.starts_with("__unnamed");
}

std::string trim_blanks(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

TypeRef pointer_target(const TypeRef& pointer, const TypeProvider& provider) {
  if (pointer.element) return *pointer.element;
  TypeRef target;
  if (pointer.name.empty() || pointer.name == "void") {
    target.kind = TypeKind::kVoid;
    target.name = "void";
    return target;
  }
  if (const StructType* s = provider.find(pointer.name))
    return s->is_union ? union_type(s->name, s->size) : struct_type(s->name, s->size);
  target.name = pointer.name;  // a type the provider does not describe: keep its name
  return target;
}

std::string base_type_name(const TypeRef& type, const TypeProvider& provider) {
  if (!type.typedef_name.empty()) return type.typedef_name;
  switch (type.kind) {
    case TypeKind::kStruct: return is_anonymous_name(type.name) ? "struct {...}" : "struct " + type.name;
    case TypeKind::kUnion: return is_anonymous_name(type.name) ? "union {...}" : "union " + type.name;
    case TypeKind::kEnum: return is_anonymous_name(type.name) ? "enum {...}" : "enum " + type.name;
    case TypeKind::kBitfield:
      if (type.bit_base) return base_type_name(*type.bit_base, provider);
      return type.name.empty() || type.name == "bitfield" ? unsigned_name_for(type.size) : type.name;
    case TypeKind::kVoid: return "void";
    default: return type.name.empty() ? "void" : type.name;
  }
}

std::string declaration(const TypeRef& type, std::string_view name, const TypeProvider& provider) {
  // Build the declarator from the outside in, as C reads it: the name, wrapped by each pointer
  // and array layer, around the innermost base type (layers bounded: the importer bounds nesting).
  std::string declarator(name);
  TypeRef current = type;
  for (int layers = 0; layers < 64; ++layers) {
    if (!current.typedef_name.empty()) break;  // "proc_t p", not "struct proc *p"
    if (current.kind == TypeKind::kPointer) {
      TypeRef target = pointer_target(current, provider);
      const bool binds_tighter = target.kind == TypeKind::kArray || target.kind == TypeKind::kFunction;
      declarator = binds_tighter ? "(*" + declarator + ")" : "*" + declarator;
      current = std::move(target);
    } else if (current.kind == TypeKind::kArray && current.element) {
      declarator += "[" + std::to_string(current.count) + "]";
      TypeRef element = *current.element;
      current = std::move(element);
    } else {
      break;
    }
  }
  if (current.kind == TypeKind::kFunction && current.typedef_name.empty()) return "void " + declarator + "()";
  std::string text = base_type_name(current, provider);
  if (!declarator.empty()) text += " " + declarator;
  if (type.kind == TypeKind::kBitfield) text += " : " + std::to_string(type.bit_width);
  return text;
}

}  // namespace kdp::kgm
