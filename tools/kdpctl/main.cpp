// kdpctl: the whole program is the kdpctl_cli library (cli/); this file only hands argv over.
// Commands go through the session agent (cli/agent) unless CI=true or --no-agent.
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "cli/dispatch.h"

int main(int argc, char** argv) {
  kdp::cli::CliContext context;
  const char* ci = std::getenv("CI");
  context.agent_mode = !(ci && std::string_view(ci) == "true");
  context.program_path = argv[0];
  context.agents_may_hold = true;
  context.may_open_shell = true;
  return kdp::cli::run_kdpctl(argc, argv, std::cout, std::cerr, context);
}
