// kdpctl connect [TARGET]
#include "cli/attach.h"
#include "cli/command.h"

namespace kdp::cli {
namespace {

const CommandSpec kConnect{
    .name = "connect",
    .usage = "connect [HOST[:PORT]]",
    .summary = "attach with a plain CONNECT (fails if another debugger holds the kernel)",
    .details = "Like reattach, but polite: a kernel that another debugger holds answers\n"
               "KDPERR_ALREADY_CONNECTED and keeps it (reattach takes it over). A kernel that\n"
               "kdpctl itself holds (the agent's session, or the one the last command left) is\n"
               "simply used again. After `kdpctl detach` the kernel runs; connect works once it\n"
               "stops again (panic, NMI, breakpoint).",
    .run = [](Invocation& inv) { return run_attach(inv, AttachKind::kConnect); },
};

}  // namespace

const CommandSpec& connect_command() { return kConnect; }
}  // namespace kdp::cli
