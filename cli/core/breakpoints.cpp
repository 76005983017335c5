#include "cli/core/breakpoints.h"

#include <algorithm>
#include <cstdio>

#include "kdp/base/bytes.h"
#include "cli/core/number.h"

namespace kdp::cli {

Expected<Breakpoint> BreakpointList::add(uint64_t address, bool temporary) {
  if (const Breakpoint* existing = find(address))
    return usage_error("breakpoint " + std::to_string(existing->number) + " is already at " + hex(address));
  Breakpoint bp{next_number_++, address, 0, temporary};
  entries_.push_back(bp);
  return bp;
}

Status BreakpointList::restore(const Breakpoint& bp) {
  if (bp.number < next_number_)
    return usage_error("breakpoint number " + std::to_string(bp.number) + " is out of order or repeated");
  if (find(bp.address)) return usage_error("two breakpoints at " + hex(bp.address));
  entries_.push_back(bp);
  next_number_ = bp.number + 1;
  return {};
}

Expected<Breakpoint> BreakpointList::remove(uint64_t address) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Breakpoint& b) { return b.address == address; });
  if (it == entries_.end()) return usage_error("No breakpoint at " + hex(address) + ".");
  Breakpoint removed = *it;
  entries_.erase(it);
  return removed;
}

const Breakpoint* BreakpointList::find(uint64_t address) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Breakpoint& b) { return b.address == address; });
  return it == entries_.end() ? nullptr : &*it;
}

void BreakpointList::record_hit(uint64_t address) {
  for (Breakpoint& b : entries_)
    if (b.address == address) ++b.hits;
}

Status BreakpointList::set_next_number(int n) {
  const int minimum = entries_.empty() ? 1 : entries_.back().number + 1;
  if (n < minimum) return usage_error("next breakpoint number " + std::to_string(n) + " is already used");
  next_number_ = n;
  return {};
}

std::vector<std::string> format_breakpoint_table(const BreakpointList& list, const SymbolLookup& symbols) {
  if (list.empty()) return {"No breakpoints or watchpoints."};
  std::vector<std::string> lines = {"Num     Type           Disp Enb Address            What"};
  for (const Breakpoint& b : list.entries()) {
    char head[64];
    std::snprintf(head, sizeof head, "%-7d %-14s %-4s %-3s ", b.number, "breakpoint", b.temporary ? "del" : "keep", "y");
    lines.push_back(head + hex_padded(b.address) + " " + gdb_symbol_suffix(b.address, symbols));
    if (b.hits > 0)
      lines.push_back("\tbreakpoint already hit " + std::to_string(b.hits) + (b.hits == 1 ? " time" : " times"));
  }
  return lines;
}

}  // namespace kdp::cli
