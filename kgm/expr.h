// Address expressions, as users type them after `x`, `disassemble`, `break` and the kgmacros:
//   kext_alloc   _mh_execute_header+4   allproc+8   *kernproc   *(allproc)+0x10   $rip-5
//   0xffffff8000200000   4096   (tasks)   -8 (0xfffffffffffffff8, as gdb reads it)
// Grammar: expr := unary (('+' | '-') unary)* ; unary := '*' unary | '-' unary | primary ;
// primary := number | symbol | '$'register | '(' expr ')'. `*` reads a 64-bit pointer (it binds
// tighter than + and -, as in C). Arithmetic wraps modulo 2^64, like the target's.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "kdp/base/error.h"
#include "kgm/memory.h"
#include "macho/symbol_index.h"

namespace kdp::kgm {

struct ExprContext {
  // Symbol names resolve to slid addresses through this index; null means "no kernel file".
  const macho::SymbolIndex* symbols = nullptr;
  // Memory for `*` (the 64-bit pointer at an address); null when there is none to read.
  Memory* memory = nullptr;
  // Value of a register named without the '$' ("rip"); empty when no registers are available.
  std::function<Expected<uint64_t>(std::string_view name)> read_register;
};

// Errors say what was wrong and where: "no symbol named 'foo'", "unexpected ')' at position 8 in
// 'allproc+)'", "*kernproc: reading 0xffffff80008d8ce0: <why>".
Expected<uint64_t> evaluate_address(std::string_view text, const ExprContext& context);

}  // namespace kdp::kgm
