// The names Tab completes after the command word, from the kernel file kdpctl uses (--kernel, or
// the one the state file remembers): its symbols, and the fields of the struct an expression is
// or points to (the expression's type worked out over the kernel file's own bytes, zeros
// elsewhere, so completing never touches the target and never waits). Without a kernel file both lists are empty.
#pragma once

#include "cli/invocation.h"
#include "cli/shell/completion.h"

namespace kdp::cli::shell {

// `inv` must outlive the sources; what loading the kernel says (warnings) is not shown.
NameSources kernel_names(const Invocation& inv);

}  // namespace kdp::cli::shell
