// The session agent (`kdpctl agent --serve TARGET [--idle SECONDS]`, started by the client in the
// background): holds the KDP session to TARGET and runs the commands clients send over its Unix
// socket with the same code as direct mode, streaming their stdout, stderr and exit code back.
// One command at a time; clients arriving meanwhile wait in a queue (doorman.h). Kept across
// commands: the KDP session (its RTT estimate), the breakpoints inserted, and the memory cache
// of the current stop. Exits on detach, after `idle` without a command, when its target cannot
// be reached (checked every few seconds while idle), when its socket file is removed or
// replaced, or when a command that must run directly asks it to let go (kRelease).
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

namespace kdp::cli::agent {

inline constexpr std::chrono::minutes kDefaultIdle{30};

struct ServeOptions {
  std::string target;
  std::chrono::milliseconds idle = kDefaultIdle;
};

// Runs until the agent should exit; the exit code for the process. Problems before the socket is
// listening go to `err` (the starting client sees the socket never appear).
int serve_agent(const ServeOptions& options, std::ostream& err);

// `kdpctl agent --serve TARGET [--idle SECONDS]`, the hidden subcommand.
int run_agent_command(int argc, const char* const* argv, std::ostream& err);

}  // namespace kdp::cli::agent
