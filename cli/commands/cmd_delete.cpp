// kdpctl delete [N|ADDR...]: forget breakpoints by number or address (all of them without an
// argument, as gdb's delete).
#include <algorithm>
#include <optional>
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/core/number.h"
#include "cli/kernel_hooks.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

bool is_decimal(const std::string& arg) {
  return !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// gdb's `delete 2`: a plain decimal number names breakpoint 2, never address 2 (no kernel
// breakpoint lives that low); addresses are 0x... or expressions.
Expected<uint64_t> by_number(const std::string& arg, const State& state) {
  const std::string missing = "No breakpoint number " + arg + ".";
  if (arg.size() > 9) return Error(ErrorKind::kNotFound, missing);
  const int number = std::stoi(arg);
  for (const Breakpoint& bp : state.breakpoints.entries())
    if (bp.number == number) return bp.address;
  return Error(ErrorKind::kNotFound, missing);
}

// Numbers need nothing; a symbol needs the kernel file, and its slide needs the target.
Expected<std::vector<uint64_t>> resolve_all(Invocation& inv, State& state) {
  std::vector<uint64_t> out;
  std::unique_ptr<client::Session> session;
  std::unique_ptr<KernelHooks> hooks = std::make_unique<KernelHooks>();
  for (const std::string& arg : inv.args) {
    if (is_decimal(arg)) {
      KDP_TRY(uint64_t address, by_number(arg, state));
      out.push_back(address);
      continue;
    }
    if (!looks_numeric(arg) && !session) {
      KDP_TRY(session, open_session(inv, state));
      KDP_TRY(hooks, load_kernel_hooks(inv, state, session.get()));
    }
    KDP_TRY(uint64_t address, resolve_address(arg, *hooks));
    out.push_back(address);
  }
  return out;
}

Status run_delete(Invocation& inv) {
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(std::vector<uint64_t> addresses, resolve_all(inv, state));
  std::vector<Breakpoint> deleted;
  KDP_TRY_STATUS(inv.update_state([&](State& now) -> Status {
    deleted.clear();
    if (addresses.empty()) {
      deleted = now.breakpoints.entries();
      now.breakpoints.clear();
    }
    for (uint64_t address : addresses) {
      KDP_TRY(Breakpoint bp, now.breakpoints.remove(address));
      deleted.push_back(bp);
    }
    return {};
  }));
  JsonWriter j;
  j.begin_object().key("deleted").begin_array();
  for (const Breakpoint& bp : deleted) {
    j.begin_object().field("number", bp.number).hex_field("address", bp.address).end_object();
    if (!inv.global.json) inv.out << "Deleted breakpoint " << bp.number << "\n";
  }
  if (inv.global.json) inv.out << j.end_array().end_object().str() << "\n";
  return {};
}

const CommandSpec kDelete{
    .name = "delete",
    .usage = "delete [N|ADDR...]",
    .summary = "delete breakpoints by number (as gdb) or address (all breakpoints without an argument)",
    .run = run_delete,
};

}  // namespace

const CommandSpec& delete_command() { return kDelete; }
}  // namespace kdp::cli
