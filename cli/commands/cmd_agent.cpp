// kdpctl agent stop [TARGET]: end the session agent that holds TARGET's kernel (default: the
// remembered target). `kdpctl agent --serve TARGET` (how kdpctl starts an agent) is dispatched
// before the command table and never reaches this.
#include "cli/agent/agent_client.h"
#include "cli/command.h"

namespace kdp::cli {
namespace {

Status run_agent(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(1, 2, "stop [TARGET]"));
  if (inv.args[0] != "stop") return usage_error("agent: unknown subcommand " + inv.args[0] + " (kdpctl agent stop [TARGET])");
  std::string target;
  if (inv.args.size() == 2) {
    target = inv.args[1];
  } else {
    KDP_TRY(State state, inv.load_state());
    KDP_TRY(target, inv.target(state));
  }
  return agent::stop_agent(target, inv.out, inv.global.json);
}

const CommandSpec kAgent{
    .name = "agent",
    .usage = "agent stop [TARGET]",
    .summary = "end the background agent holding TARGET (breakpoints out, the kernel stays stopped)",
    .details = "The agent for TARGET (default: the remembered target) takes its breakpoints out in its turn after\n"
               "the commands queued before (int3s written to memory get their original bytes back and leave the\n"
               "journal) and exits, leaving the kernel stopped; its socket and start lock are removed. Exit 1 when\n"
               "no agent runs for TARGET (a socket or lock a dead agent left is removed then, and said).",
    .run = run_agent,
};

}  // namespace

const CommandSpec& agent_command() { return kAgent; }
}  // namespace kdp::cli
