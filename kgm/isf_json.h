// Internal to the ISF importer (kgm/isf_*.cpp): checked access to nlohmann::json values, each error
// naming the JSON path of the value ("user_types.proc.fields.p_pid.offset: expected integer").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kdp/base/error.h"

namespace kdp::kgm::isf {

using Json = nlohmann::json;

// "a.b" + "c" -> "a.b.c"; the root's children have no leading dot.
std::string join(std::string_view path, std::string_view key);
Error bad(std::string_view path, std::string_view why);

Expected<const Json*> member(const Json& object, std::string_view path, std::string_view key);
Expected<const Json*> object_member(const Json& object, std::string_view path, std::string_view key);
Expected<std::string> string_member(const Json& object, std::string_view path, std::string_view key);
Expected<bool> bool_member(const Json& object, std::string_view path, std::string_view key);
// A non-negative integer no larger than `max`.
Expected<uint64_t> unsigned_member(const Json& object, std::string_view path, std::string_view key,
                                   uint64_t max = UINT64_MAX);
// Any integer that fits int64_t or uint64_t (enum constants), as the two's complement int64_t.
Expected<int64_t> integer_value(const Json& value, std::string_view path);

// Deepest {/[ nesting of a JSON text (strings skipped), to refuse absurd nesting before parsing.
size_t nesting_depth(std::string_view text);

}  // namespace kdp::kgm::isf
