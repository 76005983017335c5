#include "kgm/types.h"

namespace kdp::kgm {

const Field* StructType::field(std::string_view field_name) const {
  for (const Field& f : fields)
    if (f.name == field_name) return &f;
  return nullptr;
}

void MapTypeProvider::add(StructType type) {
  std::string name = type.name;
  types_.insert_or_assign(std::move(name), std::move(type));
}

const StructType* MapTypeProvider::find(std::string_view name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<std::string> MapTypeProvider::struct_names() const {
  std::vector<std::string> names;
  for (const auto& [name, type] : types_) names.push_back(name);
  return names;
}

void MapTypeProvider::add_enum(EnumType type) {
  std::string name = type.name;
  enums_.insert_or_assign(std::move(name), std::move(type));
}

const EnumType* MapTypeProvider::find_enum(std::string_view name) const {
  auto it = enums_.find(name);
  return it == enums_.end() ? nullptr : &it->second;
}

const std::string* EnumType::name_of(int64_t value) const {
  for (const auto& [constant, v] : constants)
    if (v == value) return &constant;
  return nullptr;
}

Expected<const StructType*> TypeModel::type(std::string_view struct_name) const {
  const StructType* t = provider_->find(struct_name);
  if (t == nullptr)
    return Error(ErrorKind::kNotFound,
                 "no type 'struct " + std::string(struct_name) + "' in " + provider_->description());
  return t;
}

Expected<ResolvedField> TypeModel::field(std::string_view struct_name, std::string_view path) const {
  KDP_TRY(const StructType* outer, type(struct_name));
  ResolvedField result{std::string(path), 0, {}};
  const StructType* current = outer;
  std::string_view rest = path;
  for (;;) {
    size_t dot = rest.find('.');
    std::string_view component = rest.substr(0, dot);
    const Field* f = current->field(component);
    if (f == nullptr)
      return Error(ErrorKind::kNotFound, "struct " + current->name + " has no field '" +
                                             std::string(component) + "' (looking up " +
                                             std::string(struct_name) + "." + std::string(path) +
                                             ") in " + provider_->description());
    result.offset += f->offset;
    result.type = f->type;
    if (dot == std::string_view::npos) return result;
    if (!f->type.is_aggregate())
      return Error(ErrorKind::kNotFound, std::string(struct_name) + "." + std::string(path) + ": '" +
                                             f->name + "' is not a struct or union in " +
                                             provider_->description());
    KDP_TRY(current, type(f->type.name));
    rest = rest.substr(dot + 1);
  }
}

Expected<uint64_t> TypeModel::size_of(std::string_view struct_name) const {
  KDP_TRY(const StructType* t, type(struct_name));
  return t->size;
}

TypeRef int_type(std::string name, uint64_t size, bool is_signed) {
  TypeRef t;
  t.kind = TypeKind::kInteger;
  t.name = std::move(name);
  t.size = size;
  t.is_signed = is_signed;
  return t;
}

TypeRef char_type() {
  TypeRef t = int_type("char", 1, true);
  t.kind = TypeKind::kChar;
  return t;
}

TypeRef pointer_type(std::string target) {
  TypeRef t;
  t.kind = TypeKind::kPointer;
  t.size = 8;
  t.name = std::move(target);
  return t;
}

TypeRef array_type(TypeRef element, uint64_t count) {
  TypeRef t;
  t.kind = TypeKind::kArray;
  t.size = element.size * count;
  t.count = count;
  t.name = element.name;
  t.element = std::make_shared<const TypeRef>(std::move(element));
  return t;
}

TypeRef struct_type(std::string name, uint64_t size) {
  TypeRef t;
  t.kind = TypeKind::kStruct;
  t.name = std::move(name);
  t.size = size;
  return t;
}

TypeRef union_type(std::string name, uint64_t size) {
  TypeRef t = struct_type(std::move(name), size);
  t.kind = TypeKind::kUnion;
  return t;
}

TypeRef enum_type(std::string name, uint64_t size) {
  TypeRef t = int_type(std::move(name), size, true);
  t.kind = TypeKind::kEnum;
  return t;
}

TypeRef bitfield_type(uint64_t unit_size, uint8_t bit_offset, uint8_t bit_width) {
  TypeRef t = int_type("bitfield", unit_size, false);
  t.kind = TypeKind::kBitfield;
  t.bit_offset = bit_offset;
  t.bit_width = bit_width;
  return t;
}

}  // namespace kdp::kgm
