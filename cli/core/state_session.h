// The `session` line of the state file (KeptSession): where the last one-shot command left its
// conversation with the kernel. One line, the kernel's version text last because it has spaces:
//   session TARGET PORT NEXT-SEQ CONNECT-KEY NEXT-KEY NEXT-NOTIFICATION VERSION FEATURE
//           CPUS-MASK CPU-TYPE CPU-SUBTYPE MAX-BYTES [KERNEL-VERSION...]
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/error.h"
#include "cli/core/state.h"

namespace kdp::cli {

Expected<KeptSession> parse_kept_session(std::string_view value);
// The line's value, or nothing when the session cannot be written on one line (a kernel version
// with control characters): the next command then attaches afresh.
std::optional<std::string> format_kept_session(const KeptSession& kept);

}  // namespace kdp::cli
