// gdb's C expressions over kernel memory, as users type them after print, x, break, list, info,
// set and the kgmacros:
//   kernproc->p_pid   *(struct proc *)kernproc   &kext_alloc_base   allproc.lh_first->p_comm
//   $rip-5   $sp[2]   (char *)&tasks + 8   sizeof(struct proc)   $1 + 4   $p->task   x == 0 && y
// A symbol is an lvalue of its declared type (ExprContext::symbol_type): a function's value is
// its address, an untyped data symbol is an `unsigned long` lvalue (the word stored there), and
// `&sym` is its address. Types, promotions, pointer scaling and precedence follow C as gdb
// evaluates it; `*` of an integer reads an address-sized word there (gdb reads an int). Errors
// read like gdb's ("There is no member named p_pidd.").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/error.h"
#include "kgm/context.h"
#include "kgm/memory.h"
#include "kgm/types.h"

namespace kdp::kgm {

// A value and where it lives. Scalars carry their bits (loaded when the value was made); structs,
// unions and arrays only their address, read when they are printed.
struct ExprValue {
  enum class Place { kNone, kMemory, kRegister, kVariable };
  TypeRef type;
  Place place = Place::kNone;
  uint64_t address = 0;  // kMemory: where it lives
  std::string name;      // kRegister ("rip") / kVariable ("p", "1" for history)
  uint64_t bits = 0;     // scalars: the value, zero-extended from type.size bytes
  bool is_lvalue() const { return place != Place::kNone; }
};

struct ExprContext {
  // Symbol names resolve to slid addresses through this; null means "no kernel file".
  const SymbolSource* symbols = nullptr;
  // Memory for lvalues in memory; null when there is none to read.
  Memory* memory = nullptr;
  // Value of a register named without the '$' ("rip"); empty when no registers are available.
  std::function<Expected<uint64_t>(std::string_view name)> read_register;
  // Structs, unions and enums for casts, sizeof, `->` and `.`, asked for only when an expression
  // needs them (opening them may read the kernel's version); empty or null: C's scalar types only.
  std::function<const TypeModel*()> types;
  // A symbol's declared type (dSYM, built-in table) or kFunction for code; nullopt: untyped data.
  std::function<std::optional<TypeRef>(std::string_view name, uint64_t address)> symbol_type;
  // Value history and convenience variables: "$" is "", "$$" "$", "$$2" "$2"... resolved by the
  // caller: `$N` (absolute) is asked as "N", `$$N` (N back) as "$N", `$name` as "name".
  std::function<std::optional<ExprValue>(std::string_view name)> variable;
  // `=`: stores `value` (already converted to the target's type for memory and registers) into
  // `target`, an lvalue; empty: assignments are refused (print, x).
  std::function<Status(const ExprValue& target, const ExprValue& value)> assign;
};

// Evaluates an expression. Reads go through context.memory; writes only through context.assign.
Expected<ExprValue> evaluate(std::string_view text, const ExprContext& context);

// gdb's value_as_address, as x and break take their argument: a function or array is its
// address, an integer or pointer its value; a struct is an error.
Expected<uint64_t> value_as_address(const ExprValue& value, const ExprContext& context);

// evaluate + value_as_address. Errors say what was wrong and where: "No symbol \"foo\" in current
// context.", "A syntax error in expression, near `)'.", "Cannot access memory at address 0x10".
Expected<uint64_t> evaluate_address(std::string_view text, const ExprContext& context);

// A scalar's value sign-extended when its type is signed; aggregates are an error.
Expected<int64_t> value_as_signed(const ExprValue& value);

// The C spelling of a value's type ("struct proc *", "unsigned long", "void (*)()").
std::string type_text(const TypeRef& type, const ExprContext& context);

// Parses a C type name as written in a cast or sizeof ("struct proc *", "unsigned long", "int *",
// "uint64_t"). kUsage ("No symbol \"x\" in current context.") when it names no type.
Expected<TypeRef> parse_type_name(std::string_view text, const ExprContext& context);

}  // namespace kdp::kgm
