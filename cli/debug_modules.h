// Source-level answers over every DWARF file loaded (the kernel's dSYM and each --kext's): the
// module that describes an address or a function, and bt's / the stop's source frames.
#pragma once

#include <optional>
#include <string_view>

#include "cli/kernel_hooks.h"
#include "kgm/backtrace.h"
#include "kgm/dwarf_info.h"

namespace kdp::cli {

// The module whose DWARF has a function or a line at `address` (slid).
std::optional<DebugModule> module_at(const KernelHooks& hooks, uint64_t address);

struct ModuleFunction {
  DebugModule module;
  kgm::FunctionInfo function;  // its addresses are the module's file addresses (add module.slide)
};
std::optional<ModuleFunction> function_named(const KernelHooks& hooks, std::string_view name);

// kgm::source_frame with the module that describes `pc`.
std::optional<kgm::SourceFrame> module_source_frame(const KernelHooks& hooks, uint64_t pc, uint64_t rbp, bool caller,
                                                    kgm::Memory& memory, std::optional<uint64_t> rsp = std::nullopt);

// Frame::source for every frame a module describes; `rsp` is the innermost frame's.
void add_module_source_frames(kgm::Backtrace& bt, const KernelHooks& hooks, kgm::Memory& memory,
                              std::optional<uint64_t> rsp);

}  // namespace kdp::cli
