// kdpctl reattach [TARGET]
#include "cli/attach.h"
#include "cli/command.h"

namespace kdp::cli {
namespace {

const CommandSpec kReattach{
    .name = "reattach",
    .usage = "reattach [HOST[:PORT]]",
    .summary = "take over the kernel (REATTACH + CONNECT) and make it the current target",
    .details = "The host goes through the system resolver (/etc/hosts works); the port defaults to 41139.\n"
               "REATTACH frees a kernel still bound to a dead debugger and makes it drop every breakpoint it\n"
               "holds; kdpctl keeps your breakpoints in the state file and inserts them when you continue.\n"
               "--retries, --timeout and --kernel given here are remembered for later commands.",
    .run = [](Invocation& inv) { return run_attach(inv, AttachKind::kReattach); },
};

}  // namespace

const CommandSpec& reattach_command() { return kReattach; }
}  // namespace kdp::cli
