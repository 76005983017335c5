// Shared by kdpctl x/s, x/c (cli) and kgm's print (kgm/value_print.h).
// Characters and strings printed the way gdb prints them (valprint.c: print_wchar,
// generic_printstr), so `kdpctl x/s` and `x/c` output can be compared with a gdb session byte for
// byte. gdb's host charset decides what is "printable"; kdpctl always behaves like gdb in the C
// locale: bytes 0x20..0x7e print as themselves, everything else as a C escape or \ooo octal.
#pragma once

#include <cstdint>
#include <string>

#include "kdp/base/bytes.h"

namespace kdp::kgm {

// gdb's limits for x/s: at most kPrintMax characters per string, runs longer than
// kRepeatThreshold characters collapse to 'c' <repeats N times>.
inline constexpr size_t kGdbPrintMax = 200;
inline constexpr size_t kGdbRepeatThreshold = 10;

// One character as it appears between `quoter` quotes: "\n", "\\", "\"" (when quoter is '"'),
// "\377".
std::string gdb_escape_char(uint8_t c, char quoter);

// x/c: the value as a signed char, then the character literal: 72 'H', -1 '\377', 0 '\000'.
std::string gdb_char_literal(int8_t value);

// x/s: the characters read for one string, as gdb's printstr renders them. `chars` may end with
// the terminating NUL (which is not shown); `force_ellipsis` appends "..." (the string went on
// past kGdbPrintMax characters). Example: "abc", 'x' <repeats 20 times>, "def"
std::string gdb_string_literal(ByteView chars, bool force_ellipsis);

}  // namespace kdp::kgm
