// Volatility 3 Intermediate Symbol Format (ISF) JSON as a type provider: base_types, user_types
// (struct/union/class with fields {offset, type}), enums and symbols ({address}), as Volatility's
// schema (volatility3/schemas/schema-6.x.json) describes them. Type descriptors: base, pointer,
// array (count, subtype), struct/union/class and enum (by name), bitfield (bit_position,
// bit_length, type) and function.
//
// The file is untrusted: every key the importer relies on is checked, and a malformed file is a
// kMalformed error naming the JSON path ("user_types.proc.fields.p_pid.offset: expected
// integer"). Descriptor nesting, array counts and sizes are bounded, and a struct that contains
// itself by value (directly or through other structs or arrays) is refused.
//
// ISF fields are a JSON object (no declaration order): fields are kept in offset order, then bit
// position, then name — declaration order for structs, name order within a union.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "kdp/base/error.h"
#include "kgm/types.h"

namespace kdp::kgm {

class IsfTypeProvider : public MapTypeProvider {
 public:
  explicit IsfTypeProvider(std::string file_name) : MapTypeProvider("ISF file " + file_name) {}

  // Symbol name (no leading '_', as gdb spells C names) -> address, as the ISF gives it (unslid).
  const std::map<std::string, uint64_t, std::less<>>& symbols() const { return symbols_; }
  void add_symbol(std::string name, uint64_t address) { symbols_.insert_or_assign(std::move(name), address); }
  // The ISF's "pointer" base type size; 8 when the file has none.
  unsigned pointer_size() const { return pointer_size_; }
  void set_pointer_size(unsigned size) { pointer_size_ = size; }

 private:
  std::map<std::string, uint64_t, std::less<>> symbols_;
  unsigned pointer_size_ = 8;
};

// Limits on what an ISF file may describe (real macOS ISF files stay far below them). They bound
// the memory --types takes: the JSON text (after xz) plus its parsed document, whose values cost
// up to ~150 bytes each (a short string in an array), so 128 MiB + 4 Mi x 150 B: under 800 MB
// (README, "Kernel types", with the shapes measured).
inline constexpr uint64_t kIsfMaxFileBytes = uint64_t{128} << 20;   // the file, and its JSON after xz
inline constexpr uint64_t kIsfMaxJsonValues = uint64_t{4} << 20;    // objects, arrays, keys and scalars
inline constexpr unsigned kIsfMaxTypeDepth = 32;       // nested pointer/array descriptors
inline constexpr uint64_t kIsfMaxTypeBytes = uint64_t{1} << 32;  // any struct, array or field

// `file_name` is only for messages ("ISF file NAME: ...").
Expected<std::shared_ptr<const IsfTypeProvider>> parse_isf(std::string_view json_text, std::string_view file_name);

// Reads PATH (a regular file, at most kIsfMaxFileBytes) and parses it; a name ending in .xz is
// decompressed first (kgm/xz.h, at most kIsfMaxFileBytes of JSON). A document of more than
// kIsfMaxJsonValues values is refused before it is parsed (kUsage).
Expected<std::shared_ptr<const IsfTypeProvider>> load_isf_file(const std::string& path);

}  // namespace kdp::kgm
