// The kgm type model: what a kernel struct looks like (fields, offsets, sizes, types), independent
// of where the description came from. Providers feed it: the built-in xnu-1699.24.23 layouts
// (kgm/layouts_xnu1699.h) today; a Volatility ISF JSON provider and a DWARF (dSYM) provider later,
// behind the same TypeProvider interface.
//
// Lookups never guess: a missing struct or field is an error naming the field and the layouts it
// was looked up in ("... in the built-in layouts for xnu-1699.24.23 RELEASE_X86_64").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kdp/base/error.h"

namespace kdp::kgm {

// kVoid only as a pointer target; kFunction as a pointer target (function pointers); kBool and
// kFloat come from ISF base types (the built-in layouts have none).
enum class TypeKind { kInteger, kChar, kPointer, kArray, kStruct, kUnion, kEnum, kBitfield, kBool, kFloat, kVoid, kFunction };

// The type of a field or array element. Structs, unions and enums are referenced by name (the
// provider resolves the name), so providers may describe types in any order.
struct TypeRef {
  TypeKind kind = TypeKind::kInteger;
  uint64_t size = 0;       // bytes; for bitfields the storage unit that holds the bits
  bool is_signed = false;  // integers, chars, enums
  std::string name;        // "int", "char", struct/union/enum name; pointers: target name
  uint64_t count = 0;      // arrays: number of elements
  std::shared_ptr<const TypeRef> element;  // array element; pointer target (null for void *)
  uint8_t bit_offset = 0;  // bitfields: first bit within the storage unit (LSB = 0)
  uint8_t bit_width = 0;
  // Bitfields: the declared type of the bits ("unsigned int", an enum) when the provider knows it.
  std::shared_ptr<const TypeRef> bit_base;
  // The typedef this type was declared through ("pid_t"), when the provider knows one (DWARF);
  // declarations print it instead of the type it names. Empty for built-in and ISF types.
  std::string typedef_name;

  bool is_aggregate() const { return kind == TypeKind::kStruct || kind == TypeKind::kUnion; }
};

struct Field {
  std::string name;
  uint64_t offset = 0;
  TypeRef type;
};

struct StructType {
  std::string name;
  uint64_t size = 0;
  bool is_union = false;
  std::vector<Field> fields;  // in declaration order

  const Field* field(std::string_view field_name) const;
};

// An enum's constants, in the provider's order (value order for ISF files).
struct EnumType {
  std::string name;
  uint64_t size = 0;
  bool is_signed = false;
  std::vector<std::pair<std::string, int64_t>> constants;

  const std::string* name_of(int64_t value) const;
};

// Where types come from. find() answers by the C name without "struct " ("proc", "task").
class TypeProvider {
 public:
  virtual ~TypeProvider() = default;
  virtual const StructType* find(std::string_view name) const = 0;
  // Enums by name ("task_role"); providers that know none answer nullptr.
  virtual const EnumType* find_enum(std::string_view name) const { return nullptr; }
  // For messages: "the built-in layouts for xnu-1699.24.23 RELEASE_X86_64", "ISF file x.json".
  virtual std::string description() const = 0;
};

// A provider holding its structs in a map: the built-in layouts, and a base for file-fed ones.
class MapTypeProvider : public TypeProvider {
 public:
  explicit MapTypeProvider(std::string description) : description_(std::move(description)) {}
  void add(StructType type);
  void add_enum(EnumType type);
  const StructType* find(std::string_view name) const override;
  const EnumType* find_enum(std::string_view name) const override;
  std::string description() const override { return description_; }
  size_t struct_count() const { return types_.size(); }
  std::vector<std::string> struct_names() const;  // sorted
  size_t enum_count() const { return enums_.size(); }

 private:
  std::string description_;
  std::map<std::string, StructType, std::less<>> types_;
  std::map<std::string, EnumType, std::less<>> enums_;
};

// A field found by a dotted path ("p_list.le_next"): its offset from the start of the outer struct.
struct ResolvedField {
  std::string path;
  uint64_t offset = 0;
  TypeRef type;
  uint64_t end() const { return offset + type.size; }
};

class TypeModel {
 public:
  explicit TypeModel(std::shared_ptr<const TypeProvider> provider, unsigned pointer_size = 8)
      : provider_(std::move(provider)), pointer_size_(pointer_size) {}

  Expected<const StructType*> type(std::string_view struct_name) const;
  // "p_comm", "p_list.le_next", "cr_posix.cr_uid": every component but the last must be a struct
  // or union field.
  Expected<ResolvedField> field(std::string_view struct_name, std::string_view path) const;
  Expected<uint64_t> size_of(std::string_view struct_name) const;

  unsigned pointer_size() const { return pointer_size_; }  // LP64: 8
  std::string description() const { return provider_->description(); }
  const TypeProvider& provider() const { return *provider_; }

 private:
  std::shared_ptr<const TypeProvider> provider_;
  unsigned pointer_size_;
};

// Constructors for TypeRefs, used by providers.
TypeRef int_type(std::string name, uint64_t size, bool is_signed);
TypeRef char_type();
TypeRef pointer_type(std::string target);  // "void" -> void *
TypeRef array_type(TypeRef element, uint64_t count);
TypeRef struct_type(std::string name, uint64_t size);
TypeRef union_type(std::string name, uint64_t size);
TypeRef enum_type(std::string name, uint64_t size);
TypeRef bitfield_type(uint64_t unit_size, uint8_t bit_offset, uint8_t bit_width);

}  // namespace kdp::kgm
