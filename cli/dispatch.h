// kdpctl's entry point as a function: parse the command line, find the subcommand, run it, turn
// its Error into one stderr line and an exit code (core/exit_codes.h).
// `kdpctl agent --serve TARGET` (hidden) runs the session agent (cli/agent/agent_server.h).
#pragma once

#include <iosfwd>

#include "cli/session_provider.h"

namespace kdp::cli {

// `context` says how sessions are opened (real UDP by default, the simulation in tests, the held
// session inside the agent) and whether commands go through an agent.
int run_kdpctl(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
               const CliContext& context = {});

}  // namespace kdp::cli
