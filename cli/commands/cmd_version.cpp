// kdpctl version: KDP_VERSION and KDP_KERNELVERSION of the current target.
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/session_open.h"
#include "cli/target_memory.h"
#include "cli/target_summary.h"
#include "kgm/context.h"

namespace kdp::cli {
namespace {

// A core file holds no KDP_VERSION or KDP_KERNELVERSION: the kernel's `version` string in the
// core's memory says which kernel it is, found through the kernel file's symbols.
Status core_version(Invocation& inv, State& state) {
  std::string version;
  const TargetWork work = [&](TargetView& target) -> Status {
    const macho::SymbolIndex* index = target.hooks.symbol_index();
    if (index == nullptr)
      return usage_error("version: a core file holds no KDP_KERNELVERSION, and its `version` string needs the "
                         "kernel's symbols: give --kernel PATH");
    KDP_TRY(version, kgm::read_kernel_version(target.memory, kgm::SymbolIndexSource(*index)));
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("source", "core " + *inv.global.core).key("protocol_version").null();
    inv.out << j.field("kernel_version", version).end_object().str() << "\n";
    return {};
  }
  inv.out << "Kernel version: " << version << " (the core's `version`)\n";
  return {};
}

Status run_version(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  if (inv.global.core) return core_version(inv, state);
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
