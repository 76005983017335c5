#include "kgm/isf_descriptor.h"

#include "kgm/isf.h"

namespace kdp::kgm::isf {
namespace {

struct Reader {
  const Catalog& catalog;

  Expected<TypeRef> read(const Json& d, std::string_view path, unsigned depth, bool behind_pointer) const {
    if (depth > kIsfMaxTypeDepth)
      return bad(path, "type descriptors nest deeper than " + std::to_string(kIsfMaxTypeDepth) + " levels");
    KDP_TRY(std::string kind, string_member(d, path, "kind"));
    if (kind == "base") return base(d, path);
    if (kind == "pointer") return pointer(d, path, depth);
    if (kind == "array") return array(d, path, depth);
    if (kind == "struct" || kind == "union" || kind == "class") return user(d, path, behind_pointer);
    if (kind == "enum") return enumeration(d, path);
    if (kind == "bitfield") return bitfield(d, path, depth);
    if (kind == "function") {
      TypeRef f;
      f.kind = TypeKind::kFunction;
      f.name = "function";
      return f;
    }
    return bad(join(path, "kind"), "unknown type kind '" + kind + "'");
  }

  Expected<TypeRef> base(const Json& d, std::string_view path) const {
    KDP_TRY(std::string name, string_member(d, path, "name"));
    auto it = catalog.base_types.find(name);
    if (it == catalog.base_types.end()) return bad(join(path, "name"), "unknown base type '" + name + "'");
    return it->second;
  }

  Expected<TypeRef> pointer(const Json& d, std::string_view path, unsigned depth) const {
    KDP_TRY(const Json* sub, member(d, path, "subtype"));
    KDP_TRY(TypeRef target, read(*sub, join(path, "subtype"), depth + 1, true));
    TypeRef p = pointer_type(target.kind == TypeKind::kVoid ? "void" : target.name);
    p.size = catalog.pointer_size;
    if (target.kind != TypeKind::kVoid) p.element = std::make_shared<const TypeRef>(std::move(target));
    return p;
  }

  Expected<TypeRef> array(const Json& d, std::string_view path, unsigned depth) const {
    KDP_TRY(uint64_t count, unsigned_member(d, path, "count", kIsfMaxTypeBytes));
    KDP_TRY(const Json* sub, member(d, path, "subtype"));
    KDP_TRY(TypeRef element, read(*sub, join(path, "subtype"), depth + 1, false));
    if (element.size != 0 && count > kIsfMaxTypeBytes / element.size)
      return bad(join(path, "count"), std::to_string(count) + " elements of " + std::to_string(element.size) +
                                          " bytes exceed " + std::to_string(kIsfMaxTypeBytes) + " bytes");
    return array_type(std::move(element), count);
  }

  Expected<TypeRef> user(const Json& d, std::string_view path, bool behind_pointer) const {
    KDP_TRY(std::string name, string_member(d, path, "name"));
    auto it = catalog.user_types.find(name);
    if (it == catalog.user_types.end()) {
      if (behind_pointer) return struct_type(name, 0);
      return bad(join(path, "name"), "unknown user type '" + name + "'");
    }
    return it->second.is_union ? union_type(name, it->second.size) : struct_type(name, it->second.size);
  }

  Expected<TypeRef> enumeration(const Json& d, std::string_view path) const {
    KDP_TRY(std::string name, string_member(d, path, "name"));
    auto it = catalog.enums.find(name);
    if (it == catalog.enums.end()) return bad(join(path, "name"), "unknown enum '" + name + "'");
    TypeRef e = enum_type(name, it->second.size);
    e.is_signed = it->second.is_signed;
    return e;
  }

  Expected<TypeRef> bitfield(const Json& d, std::string_view path, unsigned depth) const {
    KDP_TRY(uint64_t position, unsigned_member(d, path, "bit_position", 127));
    KDP_TRY(uint64_t length, unsigned_member(d, path, "bit_length", 64));
    KDP_TRY(const Json* sub, member(d, path, "type"));
    const std::string sub_path = join(path, "type");
    KDP_TRY(TypeRef base, read(*sub, sub_path, depth + 1, false));
    if (base.kind != TypeKind::kInteger && base.kind != TypeKind::kChar && base.kind != TypeKind::kBool &&
        base.kind != TypeKind::kEnum)
      return bad(sub_path, "a bitfield's type must be an integer or enum base type");
    if (length == 0) return bad(join(path, "bit_length"), "a bitfield must be at least 1 bit wide");
    if (position + length > 8 * base.size)
      return bad(path, "bits " + std::to_string(position) + ".." + std::to_string(position + length - 1) +
                           " do not fit in its " + std::to_string(base.size) + "-byte type");
    TypeRef bits = bitfield_type(base.size, static_cast<uint8_t>(position), static_cast<uint8_t>(length));
    bits.is_signed = base.is_signed;
    bits.name = base.name;
    bits.bit_base = std::make_shared<const TypeRef>(std::move(base));
    return bits;
  }
};

}  // namespace

Expected<TypeRef> read_descriptor(const Json& descriptor, std::string_view path, const Catalog& catalog) {
  return Reader{catalog}.read(descriptor, path, 0, false);
}

}  // namespace kdp::kgm::isf
