// kdpctl version: KDP_VERSION and KDP_KERNELVERSION of the current target.
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/session_open.h"
#include "cli/target_summary.h"

namespace kdp::cli {
namespace {

Status run_version(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(auto session, open_session(inv, state));
  const client::TargetInfo& t = session->target();
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("protocol_version", t.version).field("features", t.feature);
    j.field("kernel_breakpoints", t.kernel_breakpoints()).field("kernel_version", t.kernel_version);
    inv.out << j.field("uuid", t.uuid).end_object().str() << "\n";
    return {};
  }
  inv.out << "KDP protocol version " << t.version << "\n";
  inv.out << "Features: " << feature_text(t.feature) << "\n";
  inv.out << "Kernel version: " << (t.kernel_version.empty() ? "(not reported)" : t.kernel_version) << "\n";
  return {};
}

const CommandSpec kVersion{
    .name = "version",
    .usage = "version",
    .summary = "the target's KDP protocol version, features and kernel version string",
    .run = run_version,
};

}  // namespace

const CommandSpec& version_command() { return kVersion; }
}  // namespace kdp::cli
