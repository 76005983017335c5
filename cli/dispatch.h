// kdpctl's entry point as a function: parse the command line, find the subcommand, run it, turn
// its Error into one stderr line and an exit code (core/exit_codes.h).
#pragma once

#include <iosfwd>

namespace kdp::cli {

int run_kdpctl(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace kdp::cli
