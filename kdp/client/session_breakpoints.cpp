// Breakpoints (spec §4.10): kernel-managed (BREAKPOINT64_SET/REMOVE) when the kernel has
// KDP_FEATURE_BP and protocol 11, else an int3 (0xCC) written by the session over the original
// byte, which the session remembers. A full kernel table (KDPERR_MAX_BREAKPOINTS) falls back to
// 0xCC too, as gdb does.
#include "kdp/client/kdp_session.h"

namespace kdp::client {

using wire::Command;

namespace {

constexpr uint8_t kInt3 = 0xcc;

}  // namespace

Expected<uint32_t> KdpSession::kernel_breakpoint(Command command, uint64_t address) {
  uint64_t recoveries = recoveries_;
  uint64_t transmissions = link_.engine().stats().transmissions;
  KDP_TRY(auto reply, call_for<wire::ErrorReply>(command, wire::BreakpointRequest{address}));
  // Sent more than once (retransmitted, or repeated after the session regained a silent kernel,
  // session_recovery.cpp): an earlier copy may have run first, e.g. before a delayed duplicate
  // of our CONNECT rewound the kernel's seq (spec §4.3). Its answer then describes our own SET.
  bool repeated = recoveries_ != recoveries || link_.engine().stats().transmissions - transmissions > 1;
  if (repeated && command == Command::kBreakpointSet64 &&
      reply.error == static_cast<uint32_t>(wire::KdpError::kBreakpointAlreadySet))
    return 0;
  if (repeated && command == Command::kBreakpointRemove64 &&
      reply.error == static_cast<uint32_t>(wire::KdpError::kBreakpointNotFound))
    return 0;
  return reply.error;
}

Status KdpSession::insert(uint64_t address, Breakpoint& breakpoint) {
  if (breakpoint.kernel_managed) {
    KDP_TRY(uint32_t error, kernel_breakpoint(Command::kBreakpointSet64, address));
    KDP_TRY_STATUS(check_kdp_error(Command::kBreakpointSet64, error));
  } else {
    const uint8_t int3[] = {kInt3};
    KDP_TRY_STATUS(write_span(virtual_space(), address, int3));
  }
  breakpoint.inserted = true;
  return {};
}

Status KdpSession::lift(uint64_t address, Breakpoint& breakpoint) {
  if (breakpoint.kernel_managed) {
    KDP_TRY(uint32_t error, kernel_breakpoint(Command::kBreakpointRemove64, address));
    KDP_TRY_STATUS(check_kdp_error(Command::kBreakpointRemove64, error));
  } else {
    const uint8_t original[] = {breakpoint.original};
    KDP_TRY_STATUS(write_span(virtual_space(), address, original));
  }
  breakpoint.inserted = false;
  return {};
}

Status KdpSession::set_breakpoint(uint64_t address) {
  KDP_TRY_STATUS(usable());
  std::string what = on_target("set breakpoint at " + hex(address));
  if (breakpoints_.count(address) != 0) return {};
  if (info_.kernel_breakpoints() && info_.version >= 11) {
    auto error = kernel_breakpoint(Command::kBreakpointSet64, address);
    if (!error) return std::move(error).error().context(what);
    if (*error == 0) {
      breakpoints_[address] = Breakpoint{true, 0, true};
      return {};
    }
    if (*error != static_cast<uint32_t>(wire::KdpError::kMaxBreakpoints))
      return check_kdp_error(Command::kBreakpointSet64, *error).error().context(what);
  }
  Status done = set_memory_breakpoint(address);
  if (!done) return std::move(done).error().context(what);
  return {};
}

Status KdpSession::set_memory_breakpoint(uint64_t address) {
  KDP_TRY(Bytes original, read_span(virtual_space(), address, 1, false, {}));
  if (original[0] == kInt3)
    return Error(ErrorKind::kProtocol, "the byte is already 0xCC (a breakpoint left by an earlier session? "
                                       "adopt it with its original byte)");
  Breakpoint breakpoint{false, original[0], false};
  if (setup_.options.int3_journal)
    KDP_TRY_STATUS(setup_.options.int3_journal->planting(info_.address, address, original[0]));
  KDP_TRY_STATUS(insert(address, breakpoint));
  breakpoints_[address] = breakpoint;
  return {};
}

Status KdpSession::remove_breakpoint(uint64_t address) {
  KDP_TRY_STATUS(usable());
  auto it = breakpoints_.find(address);
  if (it == breakpoints_.end())
    return Error(ErrorKind::kNotFound, on_target("remove breakpoint at " + hex(address)) + ": this session has none there");
  if (it->second.inserted) {
    Status done = lift(address, it->second);
    if (!done) return std::move(done).error().context(on_target("remove breakpoint at " + hex(address)));
  }
  const bool written_by_us = !it->second.kernel_managed;
  breakpoints_.erase(it);
  // The byte is back: a record that outlives a failed update is dropped by the next session,
  // which finds no 0xCC there.
  if (written_by_us && setup_.options.int3_journal) (void)setup_.options.int3_journal->lifted(info_.address, address);
  return {};
}

std::vector<BreakpointInfo> KdpSession::breakpoints() const {
  std::vector<BreakpointInfo> list;
  for (const auto& [address, bp] : breakpoints_) list.push_back({address, bp.kernel_managed, bp.original});
  return list;
}

Status KdpSession::adopt_breakpoint(uint64_t address, uint8_t original) {
  KDP_TRY_STATUS(usable());
  std::string what = on_target("adopt breakpoint at " + hex(address));
  auto current = read_span(virtual_space(), address, 1, false, {});
  if (!current) return std::move(current).error().context(what);
  if ((*current)[0] != kInt3)
    return Error(ErrorKind::kProtocol, what + ": the byte there is " + hex((*current)[0]) + ", not 0xCC");
  if (setup_.options.int3_journal)
    KDP_TRY_STATUS(setup_.options.int3_journal->planting(info_.address, address, original));
  breakpoints_[address] = Breakpoint{false, original, true};
  return {};
}

bool KdpSession::is_inserted_breakpoint(uint64_t address) const {
  auto it = breakpoints_.find(address);
  return it != breakpoints_.end() && it->second.inserted;
}

}  // namespace kdp::client
