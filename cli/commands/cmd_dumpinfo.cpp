// kdpctl dumpinfo: KDP_DUMPINFO GETINFO, the kernel's core-dump settings.
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

Status run_dumpinfo(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  wire::DumpInfo info;
  const SessionWork work = [&](client::Session& session) -> Status {
    KDP_TRY(info, session.dump_info());
    return {};
  };
  KDP_TRY(auto session, open_session(inv, state, AttachKind::kReattach, work));
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("name", info.name).field("destip", info.destip).field("routerip", info.routerip);
    inv.out << j.field("port", info.port).field("type", info.type).end_object().str() << "\n";
    return {};
  }
  inv.out << "name:     " << info.name << "\n";
  inv.out << "destip:   " << info.destip << "\n";
  inv.out << "routerip: " << info.routerip << "\n";
  inv.out << "port:     " << info.port << "\n";
  inv.out << "type:     " << hex(info.type) << "\n";
  return {};
}

const CommandSpec kDumpinfo{
    .name = "dumpinfo",
    .usage = "dumpinfo",
    .summary = "the kernel's core-dump destination (KDP_DUMPINFO GETINFO)",
    .run = run_dumpinfo,
};

}  // namespace

const CommandSpec& dumpinfo_command() { return kDumpinfo; }
}  // namespace kdp::cli
