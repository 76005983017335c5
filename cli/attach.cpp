#include "cli/attach.h"

#include <ostream>

#include "cli/core/user_text.h"
#include "cli/kernel_hooks.h"
#include "cli/target_summary.h"

namespace kdp::cli {
namespace {

// connect uses the session kdpctl itself left with the kernel (session_open.cpp), so a refusal
// means someone else holds it: another debugger, or a kdpctl whose state file this one does not
// share. Name the way out.
Error explain_refused_connect(Error error) {
  if (error.kind() != ErrorKind::kProtocol ||
      error.message().find("KDPERR_ALREADY_CONNECTED") == std::string::npos)
    return error;
  return Error(ErrorKind::kProtocol,
               error.message() +
                   ". Another debugger holds it (or a kdpctl with another state file): `kdpctl reattach` "
                   "takes it over; a plain connect never does (it is for a kernel nobody holds, or the "
                   "one kdpctl's last command left)");
}

}  // namespace

Status run_attach(Invocation& inv, AttachKind kind) {
  KDP_TRY_STATUS(inv.expect_args(0, 1, "TARGET"));
  KDP_TRY(State state, inv.load_state_or_set_aside());
  if (!inv.args.empty()) {
    if (inv.global.target && *inv.global.target != inv.args[0])
      return usage_error("two targets given: " + quote_user_text(inv.args[0]) + " and --target " +
                         quote_user_text(*inv.global.target));
    inv.global.target = inv.args[0];
  }
  KDP_TRY(std::string target, inv.target(state));
  State next = state;
  next.target = target;
  if (inv.global.retries) next.retries = inv.global.retries;
  if (inv.global.timeout) next.timeout_ms = static_cast<uint64_t>(inv.global.timeout->count());
  if (inv.global.kernel) next.kernel = inv.global.kernel;
  if (!inv.global.kexts.empty()) next.kexts = inv.global.kexts;
  if (kind == AttachKind::kReattach) inv.sessions().take_over_anew();
  auto opened = open_session(inv, next, kind);
  if (!opened)
    return kind == AttachKind::kConnect ? explain_refused_connect(std::move(opened).error()) : std::move(opened).error();
  auto session = std::move(*opened);
  // A kernel file that does not match the running kernel is refused now, not at the first x.
  KDP_TRY(auto hooks, load_kernel_hooks(inv, next, session.get()));
  KDP_TRY_STATUS(inv.update_state([&](State& now) -> Status {
    now.target = next.target;
    now.retries = next.retries;
    now.timeout_ms = next.timeout_ms;
    now.kernel = next.kernel;
    now.kexts = next.kexts;
    now.planted = next.planted;  // what the session restored
    if (auto srtt = session->stats().srtt; srtt.count() > 0)
      now.srtt_us = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(srtt).count());
    return {};
  }));
  const char* how = session->resumed()              ? "the session kdpctl already holds"
                    : kind == AttachKind::kReattach ? "KDP_REATTACH + KDP_CONNECT"
                                                    : "KDP_CONNECT";
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("attached", true).field("method", how);
    target_summary_json(j, session->target());
    inv.out << j.end_object().str() << "\n";
  } else {
    inv.out << target_summary_text(session->target(), how);
  }
  return {};
}

}  // namespace kdp::cli
