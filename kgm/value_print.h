// gdb's `print` of a struct in kernel memory: `$1 = {` then one `  name = value,` per field,
// nested structs indented by two, arrays with `<repeats N times>`, char arrays as strings,
// pointers as 0x... <symbol>, enums by name (gdb's `set print pretty on` layout). And the same
// value as one JSON document.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kgm/value_tree.h"

namespace kdp::kgm {

// The largest object print reads (a struct proc is 0x440 bytes).
inline constexpr uint64_t kMaxPrintBytes = uint64_t{1} << 20;

// Reads the object named by `type_text` at `address` and decodes it. A failed read is
// "cannot read struct proc at 0x...: ..." with the memory error's fault address.
Expected<Value> read_typed_value(Memory& memory, const TypeModel& types, std::string_view type_text,
                                 uint64_t address, const DecodeOptions& options);

// The value as gdb prints it after "$1 = " (no trailing newline).
std::string value_text(const Value& value, unsigned recurse = 0);
// The value as JSON: objects for structs, arrays, numbers, strings (pointers as "0x..." strings,
// enums by name, char arrays up to their first NUL), null beyond --depth.
std::string value_json(const Value& value, unsigned max_elements = 200);

}  // namespace kdp::kgm
