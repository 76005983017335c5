#include "kgm/isf_json.h"

#include <algorithm>

namespace kdp::kgm::isf {

std::string join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

Error bad(std::string_view path, std::string_view why) {
  return malformed(std::string(path) + ": " + std::string(why));
}

Expected<const Json*> member(const Json& object, std::string_view path, std::string_view key) {
  if (!object.is_object()) return bad(path, "expected object");
  auto it = object.find(std::string(key));
  if (it == object.end()) return bad(join(path, key), "missing");
  return &*it;
}

Expected<const Json*> object_member(const Json& object, std::string_view path, std::string_view key) {
  KDP_TRY(const Json* value, member(object, path, key));
  if (!value->is_object()) return bad(join(path, key), "expected object");
  return value;
}

Expected<std::string> string_member(const Json& object, std::string_view path, std::string_view key) {
  KDP_TRY(const Json* value, member(object, path, key));
  if (!value->is_string()) return bad(join(path, key), "expected string");
  return value->get<std::string>();
}

Expected<bool> bool_member(const Json& object, std::string_view path, std::string_view key) {
  KDP_TRY(const Json* value, member(object, path, key));
  if (!value->is_boolean()) return bad(join(path, key), "expected boolean");
  return value->get<bool>();
}

Expected<uint64_t> unsigned_member(const Json& object, std::string_view path, std::string_view key, uint64_t max) {
  KDP_TRY(const Json* value, member(object, path, key));
  const std::string where = join(path, key);
  if (!value->is_number_integer()) return bad(where, "expected integer");
  if (value->is_number_unsigned()) {
    const auto n = value->get<uint64_t>();
    if (n > max) return bad(where, std::to_string(n) + " is larger than " + std::to_string(max));
    return n;
  }
  const auto n = value->get<int64_t>();
  if (n < 0) return bad(where, "expected a non-negative integer, got " + std::to_string(n));
  if (static_cast<uint64_t>(n) > max) return bad(where, std::to_string(n) + " is larger than " + std::to_string(max));
  return static_cast<uint64_t>(n);
}

Expected<int64_t> integer_value(const Json& value, std::string_view path) {
  if (!value.is_number_integer()) return bad(path, "expected integer");
  if (value.is_number_unsigned()) return static_cast<int64_t>(value.get<uint64_t>());
  return value.get<int64_t>();
}

size_t nesting_depth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace kdp::kgm::isf
