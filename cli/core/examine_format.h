// gdb's `x/[count][format letters][size letters]` specification (printcmd.c decode_format and
// x_command), including gdb's session defaults: a later `x` without letters reuses the last
// format, size and count, so kdpctl keeps them in the state file between invocations.
#pragma once

#include <cstdint>
#include <string_view>

#include "kdp/base/error.h"

namespace kdp::cli {

// What gdb remembers between `x` commands. A fresh gdb has no last format (0), size 'w' and no
// count, which is why a fresh `x/2w` prints decimal while a bare `x ADDR` prints hex.
struct ExamineMemory {
  char last_format = 0;
  char last_size = 'w';
  int last_count = 0;
  friend bool operator==(const ExamineMemory&, const ExamineMemory&) = default;
};

struct ExamineFormat {
  int count = 1;
  // x d u o t z a c s i, or 0 for gdb's "natural" format (signed decimal for memory units).
  char format = 'x';
  // b h w g; 'a' defaults to g (x86_64 pointers), 's' and 'i' always use b.
  char size = 'w';
  uint64_t unit_bytes() const;
  friend bool operator==(const ExamineFormat&, const ExamineFormat&) = default;
};

// `spec` is what follows "x" in the command word: "" or "/4gx". `has_address` tells whether an
// address argument follows (gdb reuses the last count only for a bare `x`).
Expected<ExamineFormat> parse_examine_format(std::string_view spec, const ExamineMemory& memory,
                                             bool has_address);

// What gdb remembers after a successful examine (strings leave last_size = 'b').
ExamineMemory remember_examine(const ExamineFormat& format);

}  // namespace kdp::cli
