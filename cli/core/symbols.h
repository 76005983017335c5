// The hooks through which kernel knowledge reaches kdpctl's output and argument parsing. They are
// empty until a kernel image is loaded (--kernel); every formatter works without them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/error.h"

namespace kdp::cli {

struct SymbolHit {
  std::string name;     // "kext_alloc"
  uint64_t offset = 0;  // bytes past the symbol's address
};

// Address -> nearest symbol, or nullopt when no symbol covers the address.
using SymbolLookup = std::function<std::optional<SymbolHit>(uint64_t address)>;

// Text a user typed ("kext_alloc", "allproc+8", "*kernproc") -> address.
using ExpressionEvaluator = std::function<Expected<uint64_t>(std::string_view text)>;

// gdb's print_address_symbolic: "<kext_alloc+16>", "<kext_alloc>" at offset 0, "" when unknown.
std::string gdb_symbol_suffix(uint64_t address, const SymbolLookup& symbols);

// gdb's print_address: "0xffffff8000201000 <kext_alloc+16>" (decimal offset, "<sym>" at offset
// 0), or just "0xffffff8000201000" when nothing is known.
std::string gdb_address(uint64_t address, const SymbolLookup& symbols);

// gdb's "in" clause of a frame line: "kext_alloc" or "??".
std::string gdb_function_name(uint64_t address, const SymbolLookup& symbols);

}  // namespace kdp::cli
