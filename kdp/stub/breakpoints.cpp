#include "kdp/stub/breakpoints.h"

#include <algorithm>

namespace kdp::stub {

using wire::KdpError;

KdpError BreakpointTable::set(Memory& memory, uint64_t address) {
  // xnu reads into an uninitialised stack buffer; an unmapped byte reads as 0 here.
  uint8_t original = memory.byte_at(address).value_or(0);
  if (original == kBreakInstruction) return KdpError::kBreakpointAlreadySet;
  auto free_slot = std::find_if(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.used; });
  if (free_slot == slots_.end()) return KdpError::kMaxBreakpoints;
  *free_slot = Slot{true, address, original};
  const uint8_t int3 = kBreakInstruction;
  memory.write(address, ByteView(&int3, 1));
  return KdpError::kNoError;
}

KdpError BreakpointTable::remove(Memory& memory, uint64_t address) {
  auto slot = std::find_if(slots_.begin(), slots_.end(),
                           [&](const Slot& s) { return s.used && s.address == address; });
  if (slot == slots_.end()) return KdpError::kBreakpointNotFound;
  slot->used = false;
  memory.write(address, ByteView(&slot->original, 1));
  return KdpError::kNoError;
}

void BreakpointTable::remove_all(Memory& memory) {
  for (Slot& slot : slots_) {
    if (!slot.used) continue;
    slot.used = false;
    memory.write(slot.address, ByteView(&slot.original, 1));
  }
}

size_t BreakpointTable::size() const {
  return static_cast<size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.used; }));
}

bool BreakpointTable::contains(uint64_t address) const {
  return std::any_of(slots_.begin(), slots_.end(),
                     [&](const Slot& s) { return s.used && s.address == address; });
}

}  // namespace kdp::stub
