// The ISF importer's top level: the document's sections in dependency order (base types, enums,
// user type names and sizes, then fields and symbols), and the by-value containment check.
#include <algorithm>

#include "kgm/bounded_file.h"
#include "kgm/isf.h"
#include "kgm/isf_descriptor.h"
#include "kgm/xz.h"

namespace kdp::kgm {
namespace {

using isf::bad;
using isf::Catalog;
using isf::join;
using isf::Json;

constexpr size_t kMaxJsonNesting = 200;

Expected<TypeRef> read_base_type(const std::string& name, const Json& entry, const std::string& path) {
  KDP_TRY(uint64_t size, isf::unsigned_member(entry, path, "size", 16));
  KDP_TRY(bool is_signed, isf::bool_member(entry, path, "signed"));
  KDP_TRY(std::string kind, isf::string_member(entry, path, "kind"));
  KDP_TRY(std::string endian, isf::string_member(entry, path, "endian"));
  if (endian == "big") return bad(join(path, "endian"), "big-endian types are not supported (x86_64 kernels only)");
  if (endian != "little") return bad(join(path, "endian"), "expected \"little\" or \"big\"");
  TypeRef t = int_type(name, size, is_signed);
  if (kind == "char")
    t.kind = TypeKind::kChar;
  else if (kind == "bool")
    t.kind = TypeKind::kBool;
  else if (kind == "float")
    t.kind = TypeKind::kFloat;
  else if (kind == "void")
    t.kind = TypeKind::kVoid;
  else if (kind != "int")
    return bad(join(path, "kind"), "unknown base type kind '" + kind + "'");
  if (t.kind != TypeKind::kVoid && size == 0) return bad(join(path, "size"), "a " + kind + " cannot be 0 bytes");
  return t;
}

Status read_base_types(const Json& section, Catalog& catalog) {
  for (const auto& [name, entry] : section.items()) {
    const std::string path = join("base_types", name);
    KDP_TRY(TypeRef t, read_base_type(name, entry, path));
    if (name == "pointer") {
      if (t.size != 4 && t.size != 8) return bad(join(path, "size"), "a pointer must be 4 or 8 bytes");
      catalog.pointer_size = static_cast<unsigned>(t.size);
    }
    catalog.base_types.emplace(name, std::move(t));
  }
  return {};
}

Status read_enums(const Json& section, Catalog& catalog) {
  for (const auto& [name, entry] : section.items()) {
    const std::string path = join("enums", name);
    EnumType e;
    e.name = name;
    KDP_TRY(e.size, isf::unsigned_member(entry, path, "size", 16));
    KDP_TRY(std::string base, isf::string_member(entry, path, "base"));
    auto base_type = catalog.base_types.find(base);
    e.is_signed = base_type != catalog.base_types.end() && base_type->second.is_signed;
    KDP_TRY(const Json* constants, isf::object_member(entry, path, "constants"));
    for (const auto& [constant, value] : constants->items()) {
      KDP_TRY(int64_t v, isf::integer_value(value, join(join(path, "constants"), constant)));
      e.constants.emplace_back(constant, v);
    }
    std::stable_sort(e.constants.begin(), e.constants.end(),
                     [](const auto& a, const auto& b) { return a.second < b.second; });
    catalog.enums.emplace(name, std::move(e));
  }
  return {};
}

Status read_user_type_sizes(const Json& section, Catalog& catalog) {
  for (const auto& [name, entry] : section.items()) {
    const std::string path = join("user_types", name);
    KDP_TRY(std::string kind, isf::string_member(entry, path, "kind"));
    if (kind != "struct" && kind != "union" && kind != "class")
      return bad(join(path, "kind"), "expected struct, union or class, got '" + kind + "'");
    KDP_TRY(uint64_t size, isf::unsigned_member(entry, path, "size", kIsfMaxTypeBytes));
    catalog.user_types.emplace(name, isf::UserTypeInfo{kind == "union", size});
  }
  return {};
}

Expected<StructType> read_user_type(const std::string& name, const Json& entry, const Catalog& catalog) {
  const std::string path = join("user_types", name);
  const isf::UserTypeInfo& info = catalog.user_types.find(name)->second;
  StructType s{name, info.size, info.is_union, {}};
  KDP_TRY(const Json* fields, isf::object_member(entry, path, "fields"));
  const std::string fields_path = join(path, "fields");
  for (const auto& [field_name, field] : fields->items()) {
    const std::string field_path = join(fields_path, field_name);
    KDP_TRY(uint64_t offset, isf::unsigned_member(field, field_path, "offset", kIsfMaxTypeBytes));
    KDP_TRY(const Json* descriptor, isf::member(field, field_path, "type"));
    KDP_TRY(TypeRef type, isf::read_descriptor(*descriptor, join(field_path, "type"), catalog));
    s.fields.push_back({field_name, offset, std::move(type)});
  }
  // JSON objects carry no order: offset order is declaration order for a struct.
  std::stable_sort(s.fields.begin(), s.fields.end(), [](const Field& a, const Field& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    return a.type.bit_offset < b.type.bit_offset;
  });
  return s;
}

// The struct or union a field holds by value (through arrays), or nullptr.
const TypeRef* by_value_aggregate(const TypeRef& t) {
  const TypeRef* inner = &t;
  while (inner->kind == TypeKind::kArray && inner->element) inner = inner->element.get();
  return inner->is_aggregate() ? inner : nullptr;
}

// A struct that holds itself by value has no finite layout, and printing it would never end.
Status check_no_containment_cycle(const MapTypeProvider& provider, const Catalog& catalog) {
  enum class Mark { kNew, kOpen, kDone };
  std::map<std::string, Mark, std::less<>> marks;
  for (const auto& [root, info] : catalog.user_types) {
    if (marks[root] != Mark::kNew) continue;
    // Iterative depth-first walk: (struct, index of the next field to follow).
    std::vector<std::pair<const StructType*, size_t>> stack{{provider.find(root), 0}};
    marks[root] = Mark::kOpen;
    while (!stack.empty()) {
      auto& [type, next] = stack.back();
      if (next == type->fields.size()) {
        marks[type->name] = Mark::kDone;
        stack.pop_back();
        continue;
      }
      const Field& f = type->fields[next++];
      const TypeRef* inner = by_value_aggregate(f.type);
      if (inner == nullptr) continue;
      Mark& mark = marks[inner->name];
      if (mark == Mark::kOpen)
        return bad(join(join(join("user_types", type->name), "fields"), f.name),
                   "struct " + inner->name + " contains itself by value");
      if (mark == Mark::kDone) continue;
      const StructType* child = provider.find(inner->name);
      if (child == nullptr) continue;
      mark = Mark::kOpen;
      stack.emplace_back(child, 0);
    }
  }
  return {};
}

Status read_symbols(const Json& section, IsfTypeProvider& provider) {
  for (const auto& [name, entry] : section.items()) {
    KDP_TRY(uint64_t address, isf::unsigned_member(entry, join("symbols", name), "address"));
    provider.add_symbol(name, address);
  }
  // Mach-O symbols carry a leading '_' that C names (and kgm's lookups) do not.
  for (const auto& [name, entry] : section.items())
    if (name.size() > 1 && name[0] == '_' && !provider.symbols().contains(std::string_view(name).substr(1)))
      provider.add_symbol(name.substr(1), provider.symbols().find(name)->second);
  return {};
}

Expected<std::shared_ptr<const IsfTypeProvider>> import_document(const Json& doc, std::string_view file_name) {
  if (!doc.is_object()) return bad("(document)", "expected a JSON object");
  KDP_TRY(const Json* base_types, isf::object_member(doc, "", "base_types"));
  KDP_TRY(const Json* user_types, isf::object_member(doc, "", "user_types"));
  KDP_TRY(const Json* enums, isf::object_member(doc, "", "enums"));
  KDP_TRY(const Json* symbols, isf::object_member(doc, "", "symbols"));
  Catalog catalog;
  KDP_TRY_STATUS(read_base_types(*base_types, catalog));
  KDP_TRY_STATUS(read_enums(*enums, catalog));
  KDP_TRY_STATUS(read_user_type_sizes(*user_types, catalog));
  auto provider = std::make_shared<IsfTypeProvider>(std::string(file_name));
  provider->set_pointer_size(catalog.pointer_size);
  for (const auto& [name, entry] : user_types->items()) {
    KDP_TRY(StructType s, read_user_type(name, entry, catalog));
    provider->add(std::move(s));
  }
  for (auto& [name, e] : catalog.enums) provider->add_enum(std::move(e));
  KDP_TRY_STATUS(check_no_containment_cycle(*provider, catalog));
  KDP_TRY_STATUS(read_symbols(*symbols, *provider));
  return std::shared_ptr<const IsfTypeProvider>(std::move(provider));
}

// Counts a document's values (objects, arrays, keys, scalars) in a SAX pass that builds nothing,
// and stops at kIsfMaxJsonValues: a file of millions of tiny values costs far more memory parsed
// than as text, so it is refused before its parsed form exists.
class ValueCounter final : public Json::json_sax_t {
 public:
  bool too_many() const { return values_ > kIsfMaxJsonValues; }

  bool null() override { return count(); }
  bool boolean(bool) override { return count(); }
  bool number_integer(Json::number_integer_t) override { return count(); }
  bool number_unsigned(Json::number_unsigned_t) override { return count(); }
  bool number_float(Json::number_float_t, const Json::string_t&) override { return count(); }
  bool string(Json::string_t&) override { return count(); }
  bool binary(Json::binary_t&) override { return count(); }
  bool start_object(std::size_t) override { return count(); }
  bool key(Json::string_t&) override { return count(); }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return count(); }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;  // the real parse reports it, with its position
  }

 private:
  bool count() { return ++values_ <= kIsfMaxJsonValues; }
  uint64_t values_ = 0;
};

bool has_too_many_values(std::string_view text) {
  ValueCounter counter;
  Json::sax_parse(text.begin(), text.end(), &counter);
  return counter.too_many();
}

}  // namespace

Expected<std::shared_ptr<const IsfTypeProvider>> parse_isf(std::string_view json_text, std::string_view file_name) {
  const std::string prefix = "ISF file " + std::string(file_name) + ": ";
  if (isf::nesting_depth(json_text) > kMaxJsonNesting)
    return malformed(prefix + "JSON nests deeper than " + std::to_string(kMaxJsonNesting) + " levels");
  if (has_too_many_values(json_text))
    return usage_error(prefix + "more than " + std::to_string(kIsfMaxJsonValues) +
                       " JSON values (the bound that keeps --types' memory in check)");
  Json doc;
  try {
    doc = Json::parse(json_text.begin(), json_text.end());
  } catch (const Json::exception& e) {
    return malformed(prefix + "not valid JSON: " + e.what());
  }
  auto provider = import_document(doc, file_name);
  if (!provider) return malformed(prefix + provider.error().message());
  return provider;
}

Expected<std::shared_ptr<const IsfTypeProvider>> load_isf_file(const std::string& path) {
  KDP_TRY(Bytes bytes, read_regular_file(path, "ISF file", kIsfMaxFileBytes));
  if (path.ends_with(".xz")) {
    KDP_TRY(std::string text, xz_decompress(bytes, kIsfMaxFileBytes, "ISF file " + path));
    return parse_isf(text, path);
  }
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return parse_isf(text, path);
}

}  // namespace kdp::kgm
