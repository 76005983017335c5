// C spellings of kgm types, as gdb's ptype and print show them: "struct proc *", "char [17]",
// and declarations with the name inside the declarator ("char p_comm[17]", "void (*fn)()",
// "unsigned int t_a : 3").
#pragma once

#include <string>
#include <string_view>

#include "kgm/types.h"

namespace kdp::kgm {

// "struct proc", "union word", "enum color", "int"; a bitfield's declared type.
std::string base_type_name(const TypeRef& type, const TypeProvider& provider);
// `name` declared with `type` ("struct proc *p_pptr", "char p_comm[17]"); an empty name gives
// the abstract type ("struct proc *", "char [17]").
std::string declaration(const TypeRef& type, std::string_view name, const TypeProvider& provider);
// The target of a pointer: its element, else (built-in layouts name targets only) the struct or
// union the provider knows by that name, else a type named so; nullopt-like kVoid for void.
TypeRef pointer_target(const TypeRef& pointer, const TypeProvider& provider);
// Types with no C name of their own in the file ("$_44", "unnamed_0x1c", "__unnamed_12"):
// ptype spells them out inline as `struct {...}`.
bool is_anonymous_name(std::string_view name);
// `s` without leading and trailing blanks (type names as users type them: " struct proc ").
std::string trim_blanks(std::string_view s);

}  // namespace kdp::kgm
