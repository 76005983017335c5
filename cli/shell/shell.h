// kdpctl's interactive shell and scripts. `kdpctl` with no command on a terminal, or `kdpctl
// shell`, opens the prompt; `kdpctl -x FILE` and `kdpctl < FILE` run a script. Every line runs as
// `kdpctl GLOBAL-OPTIONS LINE` would (through the session agent unless --no-agent or CI=true), in
// this process: the loop's rules are in shell_loop.h.
#pragma once

#include <optional>

#include "cli/core/selection.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/invocation.h"
#include "kdp/base/error.h"

namespace kdp::cli::shell {

struct ShellStart {
  // kdpctl's command line without the shell's own words (`shell`, `-x FILE`): argv[0] and the
  // global options every line runs with.
  std::vector<std::string> command_line;
  std::optional<std::string> script;  // -x FILE
  bool interactive = false;           // the prompt; else a script from `script` or stdin
};

// What kdpctl's command line asks of the shell (`words`: its positional words, `script`: -x's
// FILE): nullopt when it asks for something else (a command, help). `kdpctl shell` and no command
// on a terminal open the prompt; `kdpctl shell` or no command with stdin a file or a pipe run
// stdin as a script (stdin /dev/null or closed: kdpctl's help, as before).
Expected<std::optional<ShellStart>> shell_start(int argc, const char* const* argv,
                                                const std::vector<std::string>& words,
                                                const std::optional<std::string>& script);

// The prompt: "(kdpctl) ", or "(kdpctl thread N) " while `thread N` / `switchtoact ADDR` has a
// kernel thread selected ("thread 0xADDR" when it was chosen by address), so the registers that
// regs, bt and x/i $pc read are never a surprise.
std::string prompt_text(const std::optional<Selection>& selection);

// `inv` carries the global options (for completion's kernel file) and the streams.
int run_shell(const ShellStart& start, Invocation& inv);

}  // namespace kdp::cli::shell
