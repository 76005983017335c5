// The user's breakpoints, numbered like gdb's (1, 2, ... never reused). They live in the state
// file, not in the kernel: REATTACH makes the kernel drop every breakpoint it holds (spec §4.4), so
// the command that resumes the kernel inserts them and removes them again once it stops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kdp/base/error.h"
#include "cli/core/symbols.h"

namespace kdp::cli {

struct Breakpoint {
  int number = 0;
  uint64_t address = 0;
  uint64_t hits = 0;  // stops observed at this breakpoint (gdb's "already hit N times")
  bool temporary = false;  // tbreak: deleted when hit (gdb's Disp "del")
  friend bool operator==(const Breakpoint&, const Breakpoint&) = default;
};

class BreakpointList {
 public:
  // A new breakpoint with the next number; a second one at the same address is refused because
  // the kernel keeps one saved byte per address (KDPERR_BREAKPOINT_ALREADY_SET).
  Expected<Breakpoint> add(uint64_t address, bool temporary = false);
  // Adds a breakpoint read back from the state file (numbers must stay unique and increasing).
  Status restore(const Breakpoint& bp);
  Expected<Breakpoint> remove(uint64_t address);
  void clear() { entries_.clear(); }

  const Breakpoint* find(uint64_t address) const;
  void record_hit(uint64_t address);

  const std::vector<Breakpoint>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  int next_number() const { return next_number_; }
  Status set_next_number(int n);

  friend bool operator==(const BreakpointList&, const BreakpointList&) = default;

 private:
  std::vector<Breakpoint> entries_;  // in number order
  int next_number_ = 1;
};

// gdb's `info breakpoints` table (or "No breakpoints or watchpoints.").
std::vector<std::string> format_breakpoint_table(const BreakpointList& list, const SymbolLookup& symbols);

}  // namespace kdp::cli
