// Typed access to one kernel object: the fields a command needs are named up front, their span is
// handed to the read planner (Memory::prefetch) and read with one Memory::read, and every field is
// then decoded from those bytes through ByteReader by name ("p_pid", "p_list.le_next").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kgm/memory.h"
#include "kgm/types.h"

namespace kdp::kgm {

using FieldList = std::span<const std::string_view>;

// The smallest byte range of `type_name` covering `fields`, as offsets from the object's start.
Expected<Range> field_span(const TypeModel& types, std::string_view type_name, FieldList fields);

class Object {
 public:
  Object(const TypeModel& types, std::string type_name, uint64_t address, uint64_t span_start,
         Bytes bytes)
      : types_(&types), type_name_(std::move(type_name)), address_(address),
        span_start_(span_start), bytes_(std::move(bytes)) {}

  uint64_t address() const { return address_; }
  const std::string& type_name() const { return type_name_; }

  // Integers, pointers, chars, enums and bitfields, zero-extended.
  Expected<uint64_t> u(std::string_view path) const;
  // The same, sign-extended when the field's type is signed.
  Expected<int64_t> i(std::string_view path) const;
  // A char array up to its first NUL, or all of it when it has none (never past the field).
  Expected<std::string> str(std::string_view path) const;
  // The kernel address of a field (`&task->threads`).
  Expected<uint64_t> address_of(std::string_view path) const;

 private:
  Expected<ByteReader> field_bytes(const ResolvedField& f) const;

  const TypeModel* types_;
  std::string type_name_;
  uint64_t address_;
  uint64_t span_start_;  // offset within the object of bytes_[0]
  Bytes bytes_;
};

// Reads the span of `fields` of the struct at `address`. A failed read is
// "cannot read <type> at <address>: <why>" with the memory error's fault address.
Expected<Object> read_object(Memory& memory, const TypeModel& types, std::string_view type_name,
                             uint64_t address, FieldList fields);
inline Expected<Object> read_object(Memory& memory, const TypeModel& types,
                                    std::string_view type_name, uint64_t address,
                                    std::initializer_list<std::string_view> fields) {
  return read_object(memory, types, type_name, address, FieldList(fields.begin(), fields.size()));
}

struct CString {
  std::string text;
  bool terminated = true;  // false: no NUL within max_length bytes (text holds max_length bytes)
};

// A NUL-terminated string in kernel memory, at most `max_length` bytes read.
Expected<CString> read_c_string(Memory& memory, uint64_t address, uint64_t max_length);

}  // namespace kdp::kgm

namespace kdp::kgm {

// A 64-bit value at `address` (a global pointer, a list head); errors say "cannot read <what> at".
Expected<uint64_t> read_u64(Memory& memory, uint64_t address, std::string_view what);

}  // namespace kdp::kgm
