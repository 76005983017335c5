// gdb's `ptype` over the kgm type model: `type = struct proc {` with one declaration per field,
// and `ptype/o` with each field's offset and size, holes and trailing padding, and nested structs
// and unions spelled out (gdb's pahole-like layout, decimal offsets). Needs only types, no memory.
#pragma once

#include <string>
#include <string_view>

#include "kdp/base/error.h"
#include "kgm/types.h"

namespace kdp::kgm {

// What "struct proc", "union word", "enum color" or a bare "proc" names.
struct NamedType {
  const StructType* aggregate = nullptr;  // struct or union
  const EnumType* enumeration = nullptr;
};

// kNotFound naming the provider ("no type 'struct proc' in ISF file x.json") when absent.
Expected<NamedType> lookup_named_type(const TypeModel& types, std::string_view text);

Expected<std::string> ptype_text(const TypeModel& types, std::string_view text, bool offsets);
// {"type": "struct proc", "size": N, "fields": [{"name", "offset", "size", "type"[, "bit_offset",
// "bit_width"]}]}; enums: {"type": "enum color", "size": N, "constants": [{"name", "value"}]}.
Expected<std::string> ptype_json(const TypeModel& types, std::string_view text);

}  // namespace kdp::kgm
