// The client half of agent mode: finds (or starts) the agent for the command's target and runs
// the command there, printing exactly what the agent's run printed and returning its exit code.
// A stale socket or a silent agent is reported on stderr and replaced by a fresh agent; every wait
// for the agent is bounded except the command itself (continue may wait forever), which Ctrl-C
// interrupts through the agent.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/invocation.h"
#include "cli/session_provider.h"

namespace kdp::cli::agent {

struct AgentCall {
  std::vector<std::string> argv;  // the command line as typed (argv[0] included)
  const GlobalOptions* global = nullptr;
  std::string word;                 // the command ("x/4gx")
  std::vector<std::string> args;    // its positional arguments
  std::optional<double> idle_seconds;  // --idle for a new agent
};

// Commands that never need a session or must not go through an agent (connect: a plain CONNECT
// for a kernel nobody holds).
bool runs_locally(const std::string& command);

// The exit code of the command run through the agent, or nullopt when it should run here (no
// target known yet: the local run reports that).
// An agent that cannot be reached, or ends before the command did, is an error for the caller to
// report (as text, or as --json's error document).
Expected<std::optional<int>> run_through_agent(const AgentCall& call, const CliContext& context, std::ostream& out,
                                               std::ostream& err);

// Before a command runs directly (--no-agent, CI=true, --record) on a kernel an agent holds: the
// agent, in its turn after the commands queued before, takes its breakpoints out and exits,
// leaving the kernel stopped for this command. Nothing when no agent answers for the target.
Status let_agent_go(const AgentCall& call, std::ostream& err);

// `kdpctl agent stop [TARGET]`: the agent for `target`, in its turn, takes its breakpoints out
// (int3s written to memory get their bytes back) and exits, leaving the kernel stopped; its socket
// and start lock are gone afterwards. Says what was done; kIo when no agent runs for `target`.
Status stop_agent(const std::string& target, std::ostream& out, bool json);

// `kdpctl status`: the agents in the runtime directory.
Status print_status(std::ostream& out, bool json);

}  // namespace kdp::cli::agent
