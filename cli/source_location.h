// What `info line` and `list` are pointed at, with the kernel's dSYM or a kext's: "*ADDR" or ADDR
// (an address or expression such as kext_alloc+23), FUNC (a function a dSYM describes), or FILE:LINE.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cli/kernel_hooks.h"
#include "kgm/dwarf_info.h"

namespace kdp::cli {

struct SourceSpot {
  kgm::SourceLine source;
  std::optional<uint64_t> address;        // the running kernel's (slid)
  std::optional<kgm::LineRange> range;    // the line's code, slid; none for FILE:LINE
  std::optional<kgm::FunctionInfo> function;
};

// kNotFound in gdb's words when the dSYM has no line there ("No line number information available
// for address 0x…", "Function \"x\" not defined.").
Expected<SourceSpot> resolve_spot(std::string_view text, const KernelHooks& hooks);

// Whether the location names a register ($rip, $rsp+8): only the stopped CPU answers it.
inline bool names_register(std::string_view text) { return text.find('$') != std::string_view::npos; }

// "0xffffff8000123456 <kext_alloc+23>" (gdb's <symbol+decimal offset>), symbol when known.
std::string address_with_symbol(uint64_t address, const KernelHooks& hooks);

}  // namespace kdp::cli
