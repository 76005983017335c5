// kdpctl hostinfo: KDP_HOSTINFO of the current target.
#include <ostream>

#include "kdp/base/bytes.h"
#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/core/stop_report.h"
#include "cli/session_open.h"
#include "cli/target_summary.h"
#include "kgm/core_memory.h"

namespace kdp::cli {
namespace {

// A core file holds no KDP_HOSTINFO: its Mach-O header names the CPU type, and nothing says which
// CPUs the machine had (cpus_mask is unknown, not guessed).
Status core_hostinfo(Invocation& inv, const std::string& path) {
  KDP_TRY(auto core, kgm::CoreMemory::open(path));
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("source", "core " + path).key("cpus_mask").null().key("cpus").null();
    j.field("cpu_type", core->cpu_type()).field("cpu_type_name", cpu_type_name(core->cpu_type()));
    inv.out << j.field("cpu_subtype", core->cpu_subtype()).field("threads", core->threads().size()).end_object().str() << "\n";
    return {};
  }
  inv.out << "cpus_mask:   unknown (core " << path << ": a core file holds no KDP_HOSTINFO)\n";
  inv.out << "cpu_type:    " << hex(core->cpu_type()) << " (" << cpu_type_name(core->cpu_type()) << ")\n";
  inv.out << "cpu_subtype: " << core->cpu_subtype() << "\n";
  inv.out << "threads:     " << core->threads().size() << " (LC_THREAD)\n";
  return {};
}

Status run_hostinfo(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  if (inv.global.core) return core_hostinfo(inv, *inv.global.core);
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(auto session, open_session(inv, state));
  const wire::HostInfoReply& h = session->target().host_info;
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("cpus_mask", h.cpus_mask).field("cpus", cpu_count(h.cpus_mask));
    j.field("cpu_type", h.cpu_type).field("cpu_type_name", cpu_type_name(h.cpu_type));
    inv.out << j.field("cpu_subtype", h.cpu_subtype).end_object().str() << "\n";
    return {};
  }
  inv.out << "cpus_mask:   " << hex(h.cpus_mask) << " (" << cpu_count(h.cpus_mask) << " CPUs)\n";
  inv.out << "cpu_type:    " << hex(h.cpu_type) << " (" << cpu_type_name(h.cpu_type) << ")\n";
  inv.out << "cpu_subtype: " << h.cpu_subtype << "\n";
  return {};
}

const CommandSpec kHostinfo{
    .name = "hostinfo",
    .usage = "hostinfo",
    .summary = "the target's CPUs and CPU type (KDP_HOSTINFO)",
    .run = run_hostinfo,
};

}  // namespace

const CommandSpec& hostinfo_command() { return kHostinfo; }
}  // namespace kdp::cli
