// Numbers as users type them on the command line: addresses, lengths, counts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kdp/base/error.h"

namespace kdp::cli {

// "0x1f", "0X1F" (hex) or "31" (decimal); the whole text must be the number and fit in 64 bits.
// `what` names the argument in the error ("address", "length").
Expected<uint64_t> parse_u64(std::string_view text, std::string_view what);

// A byte count: a number as above, optionally followed by K, M or G (powers of 1024): "64K",
// "0x1000"; with a unit also a decimal fraction that comes to whole bytes: "1.5M", "0.5K".
Expected<uint64_t> parse_size(std::string_view text, std::string_view what);

// True when `text` looks like a number (starts with a digit), as opposed to a symbol expression.
bool looks_numeric(std::string_view text);

// "0xffffff8000200000" with 16 hex digits: the fixed width used in JSON and tables.
std::string hex_padded(uint64_t value, int digits = 16);

}  // namespace kdp::cli
