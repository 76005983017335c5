// kdpctl's process exit codes. Scripts tell "you typed it wrong" from "the target said no" from
// "the target did not answer" without parsing text, so every Error maps to exactly one code.
#pragma once

#include "kdp/base/error.h"

namespace kdp::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitTarget = 1,        // the target refused, the protocol failed, or a local file could not be written
  kExitUsage = 2,         // bad command line, unknown command or symbol, no target, malformed state file
  kExitTimeout = 3,       // the target did not answer in time (or no stop arrived before --timeout)
  kExitInterrupted = 130  // Ctrl-C (128 + SIGINT, as shells report it)
};

ExitCode exit_code_for(ErrorKind kind);
// As above, except that unreadable kernel memory (kNotFound with a fault address: "Cannot access
// memory at address ...") is the target's answer, exit 1, not a name the user got wrong.
ExitCode exit_code_for(const Error& error);

}  // namespace kdp::cli
