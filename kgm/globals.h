// The declared types of the xnu globals kgmacros read (kernproc, kernel_task, allproc, ...), for
// expressions over a kernel without a dSYM: the built-in layouts and ISF files describe structs,
// not variables, and gdb without debug information would refuse `kernproc->p_pid` altogether.
// Declarations from xnu-1699's sources (bsd/sys/proc_internal.h, osfmk/kern/*.h).
#pragma once

#include <optional>
#include <string_view>

#include "kgm/types.h"

namespace kdp::kgm {

// The global's C type when it is one of the table's and `types` knows the struct it involves;
// nullopt otherwise (the caller treats the symbol as untyped).
std::optional<TypeRef> declared_global_type(std::string_view name, const TypeModel* types);

}  // namespace kdp::kgm
