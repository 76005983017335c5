// Internal to the built-in layouts: a terse way to write a struct's fields in code.
#pragma once

#include <string>
#include <utility>

#include "kgm/types.h"

namespace kdp::kgm::layouts {

class StructBuilder {
 public:
  StructBuilder(std::string name, uint64_t size) { type_.name = std::move(name), type_.size = size; }
  StructBuilder& add(std::string field, uint64_t offset, TypeRef type) {
    type_.fields.push_back({std::move(field), offset, std::move(type)});
    return *this;
  }
  StructBuilder& bits(std::string field, uint64_t offset, uint64_t unit, uint8_t first, uint8_t width) {
    return add(std::move(field), offset, bitfield_type(unit, first, width));
  }
  StructType take() { return std::move(type_); }

 private:
  StructType type_;
};

inline TypeRef i32() { return int_type("int", 4, true); }
inline TypeRef u32() { return int_type("unsigned int", 4, false); }
inline TypeRef u16() { return int_type("unsigned short", 2, false); }
inline TypeRef u8() { return int_type("unsigned char", 1, false); }
inline TypeRef u64() { return int_type("unsigned long long", 8, false); }
inline TypeRef ulong() { return int_type("unsigned long", 8, false); }

// Layouts shared by both kernel configurations, and those that differ (thread, processor, zone,
// pmap grow in DEBUG: xnu-layouts.md §1.5).
void add_bsd_layouts(MapTypeProvider& p);
void add_mach_layouts(MapTypeProvider& p, bool debug);
// The small by-value structs (locks, timevals, tokens, ...) both sides embed; the same in both.
void add_small_layouts(MapTypeProvider& p);

}  // namespace kdp::kgm::layouts
