// DWARF types into the kgm type model, one struct at a time: find("proc") looks the name up in the
// accelerator table, converts that struct's members (their types by name, so nested structs wait
// until someone asks for them) and caches the result. Anonymous structs and unions are named
// "$die_0x<offset>" (kgm/c_decl.h prints such names as "struct {...}") and found by that offset.
#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include "kgm/dwarf_impl.h"

namespace kdp::kgm {
namespace {

using llvm::DWARFDie;
using namespace llvm::dwarf;

constexpr unsigned kMaxTypeDepth = 32;      // typedef/pointer/array chains (a hostile file may loop)
constexpr uint64_t kMaxArrayCount = uint64_t{1} << 32;
constexpr const char* kAnonymousPrefix = "$die_0x";

uint64_t unsigned_attr(const DWARFDie& die, Attribute attr, uint64_t fallback = 0) {
  if (auto v = die.find(attr))
    if (auto u = v->getAsUnsignedConstant()) return *u;
  return fallback;
}

std::string aggregate_name(const DWARFDie& die) {
  const char* name = die.getName(llvm::DINameKind::ShortName);
  if (name != nullptr && *name != '\0') return name;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%llx", kAnonymousPrefix, static_cast<unsigned long long>(die.getOffset()));
  return buffer;
}

bool is_declaration(const DWARFDie& die) { return unsigned_attr(die, DW_AT_declaration) != 0; }

TypeRef base_type(const DWARFDie& die) {
  const uint64_t size = unsigned_attr(die, DW_AT_byte_size);
  const uint64_t encoding = unsigned_attr(die, DW_AT_encoding);
  const char* name = die.getName(llvm::DINameKind::ShortName);
  const bool is_signed = encoding == DW_ATE_signed || encoding == DW_ATE_signed_char;
  TypeRef t = int_type(name ? name : "int", size, is_signed);
  if ((encoding == DW_ATE_signed_char || encoding == DW_ATE_unsigned_char) && size == 1) t.kind = TypeKind::kChar;
  if (encoding == DW_ATE_boolean) t.kind = TypeKind::kBool;
  if (encoding == DW_ATE_float) t.kind = TypeKind::kFloat;
  return t;
}

// Element counts of an array DIE's subranges, outermost first; 0 for a flexible array.
std::vector<uint64_t> array_counts(const DWARFDie& die) {
  std::vector<uint64_t> counts;
  for (const DWARFDie& child : die.children()) {
    if (child.getTag() != DW_TAG_subrange_type) continue;
    uint64_t count = unsigned_attr(child, DW_AT_count, 0);
    if (count == 0)
      if (auto upper = child.find(DW_AT_upper_bound))
        if (auto u = upper->getAsUnsignedConstant(); u && *u < kMaxArrayCount) count = *u + 1;
    counts.push_back(std::min(count, kMaxArrayCount));
  }
  if (counts.empty()) counts.push_back(0);
  return counts;
}

TypeRef convert(const DWARFDie& die, DwarfInfo::Impl& impl, unsigned depth);

bool is_aggregate_tag(Tag tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
}

// The defining DIE of the struct/union (or enum) `name`: the first that is not a declaration.
DWARFDie definition_of(DwarfInfo::Impl& impl, std::string_view name, bool want_enum) {
  if (name.starts_with(kAnonymousPrefix)) {
    uint64_t offset = 0;
    if (std::sscanf(std::string(name.substr(std::string_view(kAnonymousPrefix).size())).c_str(), "%llx",
                    reinterpret_cast<unsigned long long*>(&offset)) != 1)
      return {};
    DWARFDie die = impl.die_at(offset);
    return die.isValid() && die.getOffset() == offset ? die : DWARFDie();
  }
  for (uint64_t offset : impl.type_offsets(name)) {
    DWARFDie die = impl.die_at(offset);
    if (!die.isValid() || is_declaration(die)) continue;
    const bool is_enum = die.getTag() == DW_TAG_enumeration_type;
    if (want_enum ? is_enum : is_aggregate_tag(die.getTag())) return die;
  }
  return {};
}

TypeRef referenced(const DWARFDie& die, DwarfInfo::Impl& impl, unsigned depth) {
  DWARFDie target = die.getAttributeValueAsReferencedDie(DW_AT_type);
  if (!target.isValid() || depth >= kMaxTypeDepth) {
    TypeRef v;
    v.kind = TypeKind::kVoid;
    v.name = "void";
    return v;
  }
  return convert(target, impl, depth + 1);
}

TypeRef pointer(const DWARFDie& die, DwarfInfo::Impl& impl, unsigned depth) {
  TypeRef target = referenced(die, impl, depth);
  TypeRef t = pointer_type(target.name);
  t.size = unsigned_attr(die, DW_AT_byte_size, 8);
  if (target.kind != TypeKind::kVoid || !target.typedef_name.empty())
    t.element = std::make_shared<const TypeRef>(std::move(target));
  return t;
}

TypeRef array(const DWARFDie& die, DwarfInfo::Impl& impl, unsigned depth) {
  TypeRef t = referenced(die, impl, depth);
  const std::vector<uint64_t> counts = array_counts(die);
  for (auto it = counts.rbegin(); it != counts.rend(); ++it) {
    if (t.size != 0 && *it > kMaxArrayCount / t.size) return array_type(std::move(t), 0);
    t = array_type(std::move(t), *it);
  }
  return t;
}

TypeRef aggregate(const DWARFDie& die, DwarfInfo::Impl& impl) {
  std::string name = aggregate_name(die);
  uint64_t size = unsigned_attr(die, DW_AT_byte_size);
  if (is_declaration(die))  // a forward declaration: the definition (elsewhere) has the size
    if (DWARFDie full = definition_of(impl, name, false); full.isValid()) size = unsigned_attr(full, DW_AT_byte_size);
  return die.getTag() == DW_TAG_union_type ? union_type(std::move(name), size) : struct_type(std::move(name), size);
}

TypeRef convert(const DWARFDie& die, DwarfInfo::Impl& impl, unsigned depth) {
  switch (die.getTag()) {
    case DW_TAG_base_type: return base_type(die);
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type: return referenced(die, impl, depth);  // qualifiers: skip through
    case DW_TAG_typedef: {
      TypeRef t = referenced(die, impl, depth);
      const char* name = die.getName(llvm::DINameKind::ShortName);
      if (name != nullptr) t.typedef_name = name;
      return t;
    }
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type: return pointer(die, impl, depth);
    case DW_TAG_array_type: return array(die, impl, depth);
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type: return aggregate(die, impl);
    case DW_TAG_enumeration_type: {
      TypeRef t = enum_type(aggregate_name(die), unsigned_attr(die, DW_AT_byte_size, 4));
      if (DWARFDie base = die.getAttributeValueAsReferencedDie(DW_AT_type); base.isValid())
        t.is_signed = unsigned_attr(base, DW_AT_encoding) == DW_ATE_signed;
      return t;
    }
    case DW_TAG_subroutine_type: {
      TypeRef f;
      f.kind = TypeKind::kFunction;
      return f;
    }
    default: {
      TypeRef v;
      v.kind = TypeKind::kVoid;
      v.name = "void";
      return v;
    }
  }
}

// A member's offset: DW_AT_data_member_location as a constant, or DWARF 2's DW_OP_plus_uconst N.
uint64_t member_offset(const DWARFDie& member) {
  auto v = member.find(DW_AT_data_member_location);
  if (!v) return 0;
  if (auto u = v->getAsUnsignedConstant()) return *u;
  if (auto block = v->getAsBlock(); block && block->size() >= 2 && (*block)[0] == DW_OP_plus_uconst) {
    uint64_t value = 0;
    unsigned shift = 0;
    for (size_t i = 1; i < block->size() && shift < 64; ++i, shift += 7) {
      value |= uint64_t((*block)[i] & 0x7f) << shift;
      if (((*block)[i] & 0x80) == 0) break;
    }
    return value;
  }
  return 0;
}

// Bitfields: DWARF 4+ DW_AT_data_bit_offset counts bits from the start of the struct; DWARF 2-4
// DW_AT_bit_offset counts from the most significant bit of a DW_AT_byte_size storage unit at
// the member location (the big-endian convention, turned into little-endian LSB-first here).
Field bitfield(const DWARFDie& member, TypeRef declared, uint64_t width) {
  uint64_t unit = unsigned_attr(member, DW_AT_byte_size, declared.size ? declared.size : 4);
  if (unit == 0 || unit > 8) unit = 4;
  uint64_t first_bit = 0;  // from the start of the struct, LSB-first
  if (auto dbo = member.find(DW_AT_data_bit_offset)) {
    first_bit = dbo->getAsUnsignedConstant().getValueOr(0);
  } else {
    const uint64_t msb_offset = unsigned_attr(member, DW_AT_bit_offset);
    const uint64_t unit_bits = 8 * unit;
    const uint64_t lsb = msb_offset + width <= unit_bits ? unit_bits - msb_offset - width : 0;
    first_bit = 8 * member_offset(member) + lsb;
  }
  const uint64_t unit_bits = 8 * unit;
  uint64_t byte_offset = first_bit / unit_bits * unit;
  uint64_t bit = first_bit - 8 * byte_offset;
  if (bit + width > unit_bits) {  // straddles its unit (packed structs): start at its byte
    byte_offset = first_bit / 8;
    bit = first_bit % 8;
    unit = 8;
  }
  TypeRef t = bitfield_type(unit, static_cast<uint8_t>(bit), static_cast<uint8_t>(std::min<uint64_t>(width, 64)));
  t.is_signed = declared.is_signed;
  t.bit_base = std::make_shared<const TypeRef>(std::move(declared));
  return Field{"", byte_offset, std::move(t)};
}

Field member_field(const DWARFDie& member, DwarfInfo::Impl& impl) {
  TypeRef declared = referenced(member, impl, 0);
  const uint64_t width = unsigned_attr(member, DW_AT_bit_size);
  Field f = width != 0 ? bitfield(member, std::move(declared), width)
                       : Field{"", member_offset(member), std::move(declared)};
  const char* name = member.getName(llvm::DINameKind::ShortName);
  f.name = name ? name : "";
  return f;
}

StructType struct_from(const DWARFDie& die, DwarfInfo::Impl& impl) {
  StructType s{aggregate_name(die), unsigned_attr(die, DW_AT_byte_size), die.getTag() == DW_TAG_union_type, {}};
  for (const DWARFDie& child : die.children())
    if (child.getTag() == DW_TAG_member) s.fields.push_back(member_field(child, impl));
  return s;
}

EnumType enum_from(const DWARFDie& die, DwarfInfo::Impl& impl) {
  TypeRef t = convert(die, impl, 0);
  EnumType e{t.name, t.size, t.is_signed, {}};
  for (const DWARFDie& child : die.children()) {
    if (child.getTag() != DW_TAG_enumerator) continue;
    const char* name = child.getName(llvm::DINameKind::ShortName);
    auto value = child.find(DW_AT_const_value);
    if (name == nullptr || !value) continue;
    int64_t v = e.is_signed ? value->getAsSignedConstant().getValueOr(0)
                            : static_cast<int64_t>(value->getAsUnsignedConstant().getValueOr(0));
    e.constants.emplace_back(name, v);
  }
  return e;
}

// find() is const in the TypeProvider interface; the caches fill on first use. Answers keep their
// addresses for the provider's life (std::map nodes are stable).
class DwarfTypeProvider final : public TypeProvider {
 public:
  explicit DwarfTypeProvider(DwarfInfo::Impl& impl) : impl_(impl) {}

  const StructType* find(std::string_view name) const override {
    std::lock_guard lock(mutex_);
    if (auto it = structs_.find(name); it != structs_.end()) return it->second ? &*it->second : nullptr;
    DWARFDie die = definition_of(impl_, name, false);
    std::optional<StructType> s;
    if (die.isValid() && is_aggregate_tag(die.getTag())) {
      s = struct_from(die, impl_);
      break_containment_cycles(*s);
    }
    auto [it, inserted] = structs_.emplace(std::string(name), std::move(s));
    return it->second ? &*it->second : nullptr;
  }

  const EnumType* find_enum(std::string_view name) const override {
    std::lock_guard lock(mutex_);
    if (auto it = enums_.find(name); it != enums_.end()) return it->second ? &*it->second : nullptr;
    DWARFDie die = definition_of(impl_, name, true);
    std::optional<EnumType> e;
    if (die.isValid() && die.getTag() == DW_TAG_enumeration_type) e = enum_from(die, impl_);
    auto [it, inserted] = enums_.emplace(std::string(name), std::move(e));
    return it->second ? &*it->second : nullptr;
  }

  std::string description() const override { return "dSYM " + impl_.path; }

 private:
  static constexpr size_t kMaxByValueNesting = 32;

  // A struct that holds itself by value (directly or through other structs: only a damaged or
  // hostile dSYM says so) has no finite layout, and ptype or print would expand it without end.
  // The structs a field holds by value are converted first; a field that leads back to a struct
  // still being converted becomes void.
  void break_containment_cycles(StructType& s) const {
    converting_.push_back(s.name);
    for (Field& f : s.fields) {
      const TypeRef* inner = &f.type;
      while (inner->kind == TypeKind::kArray && inner->element) inner = inner->element.get();
      if (!inner->is_aggregate()) continue;
      const bool cycle = converting_.size() >= kMaxByValueNesting ||
                         std::find(converting_.begin(), converting_.end(), inner->name) != converting_.end();
      if (!cycle) {
        (void)find(inner->name);
        continue;
      }
      TypeRef v;
      v.kind = TypeKind::kVoid;
      v.name = "void";
      v.size = f.type.size;
      f.type = v;
    }
    converting_.pop_back();
  }

  mutable std::vector<std::string> converting_;
  DwarfInfo::Impl& impl_;
  mutable std::recursive_mutex mutex_;
  mutable std::map<std::string, std::optional<StructType>, std::less<>> structs_;
  mutable std::map<std::string, std::optional<EnumType>, std::less<>> enums_;
};

}  // namespace

TypeRef dwarf_type_of(llvm::DWARFDie die, DwarfInfo::Impl& impl, unsigned depth) {
  return referenced(die, impl, depth);
}

std::shared_ptr<const TypeProvider> make_dwarf_type_provider(DwarfInfo::Impl& impl) {
  return std::make_shared<DwarfTypeProvider>(impl);
}

}  // namespace kdp::kgm
