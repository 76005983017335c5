// kdpctl detach: DISCONNECT; the kernel removes its breakpoints and resumes (spec §4.5).
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

constexpr int kMaxRounds = 4;

// The kernel resumes right after it replies, so a lost reply looks exactly like a lost request.
// Only a stopped kernel answers a REATTACH: if one does, DISCONNECT never arrived and is sent
// again; if none does, the kernel is running and the detach happened.
Status disconnect_confirmed(const Invocation& inv, const State& state, client::Session& first) {
  Status done = first.disconnect();
  for (int round = 1; !done && round < kMaxRounds; ++round) {
    if (done.error().kind() != ErrorKind::kTimeout) return done;
    auto probe = open_probe_session(inv, state, AttachKind::kReattach);
    if (!probe) return probe.error().kind() == ErrorKind::kTimeout ? Status{} : Status(std::move(probe).error());
    done = (*probe)->disconnect();
  }
  return done;
}

Status run_detach(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(auto session, open_session(inv, state));
  KDP_TRY_STATUS(disconnect_confirmed(inv, state, *session));
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
