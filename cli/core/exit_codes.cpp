#include "cli/core/exit_codes.h"

namespace kdp::cli {

ExitCode exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage:
    case ErrorKind::kNotFound:  // a symbol, a file or a breakpoint the user named does not exist
      return kExitUsage;
    case ErrorKind::kTimeout:
      return kExitTimeout;
    case ErrorKind::kInterrupted:
      return kExitInterrupted;
    case ErrorKind::kMalformed:
    case ErrorKind::kProtocol:
    case ErrorKind::kIo:
      return kExitTarget;
  }
  return kExitTarget;
}

ExitCode exit_code_for(const Error& error) {
  if (error.kind() == ErrorKind::kNotFound && error.fault_address()) return kExitTarget;
  return exit_code_for(error.kind());
}

}  // namespace kdp::cli
