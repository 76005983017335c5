// `reattach` and `connect`: reach the kernel, remember it as the current target (with --retries,
// --timeout and --kernel), print what the handshake learned.
#pragma once

#include "cli/invocation.h"
#include "cli/session_open.h"

namespace kdp::cli {

Status run_attach(Invocation& inv, AttachKind kind);

}  // namespace kdp::cli
