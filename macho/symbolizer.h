// "Which symbol is this address in?" — the one question disassembly, backtraces and kgmacros
// output ask. The kernel's SymbolIndex answers it for kernel addresses; a kext-list symbolizer can
// answer it for the rest later, behind the same interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kdp::macho {

struct SymbolOffset {
  std::string_view name;  // display name (no leading '_'), valid as long as the symbolizer
  uint64_t offset = 0;
};

class Symbolizer {
 public:
  virtual ~Symbolizer() = default;
  virtual std::optional<SymbolOffset> symbolize(uint64_t address) const = 0;
};

// "kext_alloc" or "kext_alloc+0x10".
std::string format_symbol_offset(const SymbolOffset& s);

// "kext_alloc+0x10", or nullopt when no symbol covers the address (or `symbolizer` is null).
std::optional<std::string> format_address_symbol(const Symbolizer* symbolizer, uint64_t address);

}  // namespace kdp::macho
