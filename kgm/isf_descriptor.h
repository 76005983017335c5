// Internal to the ISF importer: turns one ISF type descriptor ({"kind": "pointer", "subtype": ...})
// into a TypeRef, resolving names against the file's base types, enums and user types.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "kgm/isf_json.h"
#include "kgm/types.h"

namespace kdp::kgm::isf {

struct UserTypeInfo {
  bool is_union = false;
  uint64_t size = 0;
};

struct Catalog {
  std::map<std::string, TypeRef, std::less<>> base_types;
  std::map<std::string, EnumType, std::less<>> enums;
  std::map<std::string, UserTypeInfo, std::less<>> user_types;
  unsigned pointer_size = 8;
};

// `path` names the descriptor in errors. A struct named only behind a pointer may be missing from
// the file (an incomplete type, as C allows); by value it must be there, with its size.
Expected<TypeRef> read_descriptor(const Json& descriptor, std::string_view path, const Catalog& catalog);

}  // namespace kdp::kgm::isf
