#include "cli/core/symbols.h"

#include "kdp/base/bytes.h"

namespace kdp::cli {

std::string gdb_symbol_suffix(uint64_t address, const SymbolLookup& symbols) {
  if (!symbols) return "";
  const std::optional<SymbolHit> hit = symbols(address);
  if (!hit) return "";
  std::string out = "<" + hit->name;
  if (hit->offset != 0) out += "+" + std::to_string(hit->offset);
  return out + ">";
}

std::string gdb_address(uint64_t address, const SymbolLookup& symbols) {
  const std::string suffix = gdb_symbol_suffix(address, symbols);
  return suffix.empty() ? hex(address) : hex(address) + " " + suffix;
}

std::string gdb_function_name(uint64_t address, const SymbolLookup& symbols) {
  if (!symbols) return "??";
  const std::optional<SymbolHit> hit = symbols(address);
  return hit ? hit->name : "??";
}

}  // namespace kdp::cli
