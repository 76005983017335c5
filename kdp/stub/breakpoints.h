// Kernel-managed breakpoints (spec §4.10, xnu kdp.c): a table of 100 slots; SET saves the
// original byte and writes int3 (0xCC), REMOVE restores it. The table does not own memory; every
// operation is given the Memory it patches.
#pragma once

#include <array>
#include <cstdint>

#include "kdp/stub/memory.h"
#include "kdp/wire/packet.h"

namespace kdp::stub {

inline constexpr uint8_t kBreakInstruction = 0xcc;  // x86 int3

class BreakpointTable {
 public:
  static constexpr size_t kMaxBreakpoints = 100;  // MAX_BREAKPOINTS

  // KDPERR_BREAKPOINT_ALREADY_SET if the byte already is 0xCC, KDPERR_MAX_BREAKPOINTS if the table
  // is full, else records the address and writes 0xCC. Like xnu, an unmapped address still
  // "succeeds" (the read and the write fail silently).
  wire::KdpError set(Memory& memory, uint64_t address);
  // KDPERR_BREAKPOINT_NOT_FOUND for an address not in the table, else restores the byte.
  wire::KdpError remove(Memory& memory, uint64_t address);
  // Restores every recorded byte (DISCONNECT, REATTACH, exception-ack timeout, reboot).
  void remove_all(Memory& memory);

  size_t size() const;
  bool contains(uint64_t address) const;

 private:
  struct Slot {
    bool used = false;
    uint64_t address = 0;
    uint8_t original = 0;
  };
  std::array<Slot, kMaxBreakpoints> slots_{};
};

}  // namespace kdp::stub
