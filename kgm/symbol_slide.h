// Symbols from a file that knows only unslid addresses (a Volatility ISF file's, as a kernel
// file's symbol table) for a kernel that may run slid: xnu 10.8+ reports where its text begins
// (KDP_KERNELVERSION "; stext=0x...", kdp-protocol.md §3.24), and the slide is that minus the
// file's unslid __TEXT start, which the Mach-O header symbol marks (xnu-layouts.md §10.1).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/error.h"

namespace kdp::kgm {

using SymbolMap = std::map<std::string, uint64_t, std::less<>>;

// `symbols` moved by the slide; unchanged when the kernel reports no stext (10.7: no KASLR). An
// error names `source` when the slide cannot be measured (no header symbol, or a kernel below it).
Expected<SymbolMap> slid_symbols(SymbolMap symbols, std::optional<uint64_t> running_stext, std::string_view source);

}  // namespace kdp::kgm
