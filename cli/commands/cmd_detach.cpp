// kdpctl detach: DISCONNECT; the kernel removes its breakpoints and resumes (spec §4.5).
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

Status run_detach(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(auto session, open_session(inv, state));
  // The session finds out itself whether a DISCONNECT that went unanswered arrived.
  KDP_TRY_STATUS(session->disconnect());
  const client::TargetInfo& t = session->target();
  if (inv.global.json) {
    JsonWriter j;
    inv.out << j.begin_object().field("detached", true).field("target", t.host).end_object().str() << "\n";
    return {};
  }
  inv.out << "Detached from " << t.host << " (" << t.address << "); the kernel is running.\n";
  return {};
}

const CommandSpec kDetach{
    .name = "detach",
    .usage = "detach",
    .summary = "let the kernel run free (DISCONNECT); breakpoints stay in the state file",
    .run = run_detach,
};

}  // namespace

const CommandSpec& detach_command() { return kDetach; }
}  // namespace kdp::cli
