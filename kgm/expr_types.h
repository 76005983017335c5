// C's types as the expression evaluator (kgm/expr.h) needs them: the scalar types by name
// (`unsigned long`, `uint64_t`, the kernel's `task_t`), pointers to anything, and the integer
// promotions and usual arithmetic conversions that decide an operation's result type.
#pragma once

#include <cstdint>
#include <string_view>

#include "kgm/types.h"

namespace kdp::kgm::expr {

// The canonical C integer of `size` bytes: char/short/int/long, signed or unsigned.
TypeRef integer(uint64_t size, bool is_signed);
TypeRef int_type_c();           // int
TypeRef unsigned_long_type();   // unsigned long: untyped symbols, sizeof
TypeRef void_type();
TypeRef function_type();        // a function whose signature kdpctl does not know: `void ()`
TypeRef pointer_to(TypeRef target);

bool is_integer_like(const TypeRef& t);  // integers, chars, bools, enums
bool is_scalar(const TypeRef& t);        // integer-like or pointer
// C's integer promotion then usual arithmetic conversion of two integer-like types.
TypeRef common_type(const TypeRef& a, const TypeRef& b);
TypeRef promoted(const TypeRef& t);

// Bits of `size` bytes, sign-extended when `is_signed`.
int64_t sign_extend(uint64_t bits, uint64_t size);
uint64_t truncate(uint64_t bits, uint64_t size);

// A word that begins a type name: C keywords, the kernel's typedefs, and `_t` names the type
// model knows (lck_mtx_t).
bool starts_type_name(std::string_view word, const TypeModel* types);
// "unsigned long", "uint64_t", "struct proc *", "task_t", "lck_mtx_t *": kUsage in gdb's words
// when the name is not a type.
Expected<TypeRef> type_named(std::string_view text, const TypeModel* types);

}  // namespace kdp::kgm::expr
