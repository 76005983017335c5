// gdb's print of an expression's value (printcmd.c print_formatted): scalars as C prints them,
// top-level pointers with their type ("(struct proc *) 0xffffff8008a3c000"), functions as
// "{<text variable, no debug info>} 0x... <kext_alloc>", structs and arrays through the value
// tree (kgm/value_print.h), and print/FMT's letters x d u o t c a s z.
#pragma once

#include <string>

#include "kgm/expr.h"
#include "kgm/value_print.h"

namespace kdp::kgm {

struct PrintedValue {
  std::string text;  // after "$N = ", no newline
  std::string json;  // the value as data (numbers, "0x..." pointers, objects)
};

// `format` is 0 (natural) or one of x d u o t c a s z. Structs and arrays take only x (every
// integer in hex) besides the natural format. `options.memory` reads structs and arrays.
Expected<PrintedValue> print_value(const ExprValue& value, char format, const ExprContext& context,
                                   const DecodeOptions& options);

}  // namespace kdp::kgm
