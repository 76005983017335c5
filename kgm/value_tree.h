// A typed value decoded from kernel bytes, ready for gdb-style text or JSON (kgm/value_print.h):
// scalars already spelled as gdb prints them, structs as named members, arrays as runs of equal
// elements (gdb's `<repeats N times>`), char arrays as strings.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kgm/context.h"
#include "kgm/memory.h"
#include "kgm/types.h"

namespace kdp::kgm {

struct Value;
struct Member;  // a struct member: its name and value (defined after Value)

struct ArrayRun {
  std::vector<Value> element;  // exactly one
  uint64_t count = 1;
};

struct Value {
  enum class Kind { kScalar, kAggregate, kArray, kString, kElided };
  Kind kind = Kind::kScalar;
  std::string text;  // scalars: as gdb prints them ("1", "0x0", "GREEN", "97 'a'")
  std::string json;  // scalars: the JSON value ("1", "\"0x0\"", "\"GREEN\"")
  std::vector<Member> members;                         // kAggregate
  std::vector<ArrayRun> runs;                          // kArray
  bool truncated = false;                              // kArray/kString: more than the limit
  Bytes string_bytes;                                  // kString: the chars gdb shows
};

struct Member {
  std::string name;
  Value value;
};

struct DecodeOptions {
  bool hex = false;             // print/x
  unsigned max_depth = 20;      // gdb's `set print max-depth`: deeper structs are {...}
  unsigned max_elements = 200;  // gdb's `set print elements` (kGdbPrintMax)
  const SymbolSource* symbols = nullptr;  // pointers as 0x... <sym+off>
  Memory* memory = nullptr;               // char * targets as strings (optional)
};

// Decodes `type` from `bytes` (exactly type.size bytes, or fewer: missing bytes are an error).
Expected<Value> decode_value(const TypeRef& type, ByteView bytes, const TypeProvider& provider,
                             const DecodeOptions& options, unsigned depth = 0);

}  // namespace kdp::kgm
