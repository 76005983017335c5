// kdpctl connect [TARGET]
#include "cli/attach.h"
#include "cli/command.h"

namespace kdp::cli {
namespace {

const CommandSpec kConnect{
    .name = "connect",
    .usage = "connect [HOST[:PORT]]",
    .summary = "attach with a plain CONNECT (fails if another debugger holds the kernel)",
    .details = "Like reattach, but polite: a kernel that is already connected answers\n"
               "KDPERR_ALREADY_CONNECTED and keeps its current debugger. Later commands reattach.\n"
               "Every kdpctl command leaves the kernel connected (the next one reattaches), so a\n"
               "connect after an earlier command is refused: use reattach. After `kdpctl detach`\n"
               "the kernel runs; connect works once it stops again (panic, NMI, breakpoint).",
    .run = [](Invocation& inv) { return run_attach(inv, AttachKind::kConnect); },
};

}  // namespace

const CommandSpec& connect_command() { return kConnect; }
}  // namespace kdp::cli
