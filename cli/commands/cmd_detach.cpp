// kdpctl detach: DISCONNECT; the kernel removes its breakpoints and resumes (spec §4.5).
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

Status already_running(Invocation& inv, const State& state) {
  KDP_TRY(std::string target, inv.target(state));
  KDP_TRY_STATUS(inv.update_state([](State& now) -> Status {
    now.running.reset();
    return {};
  }));
  if (inv.global.json) {
    JsonWriter j;
    inv.out << j.begin_object().field("detached", true).field("target", target).field("already_running", true)
                   .end_object().str() << "\n";
    return {};
  }
  inv.out << "The kernel at " << target << " is already running (a continue or step left it running); nothing to detach.\n";
  return {};
}

Status run_detach(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  auto opened = open_session(inv, state);
  // Left running by continue or step: it already runs free, and nothing holds it once it gives up
  // on the notification of its next stop (spec §4.8).
  if (!opened && still_running(opened.error())) return already_running(inv, state);
  KDP_TRY(auto session, std::move(opened));
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
