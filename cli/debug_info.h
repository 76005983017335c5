// The invocation's dSYM: --dsym PATH (a .dSYM bundle or its DWARF file), else KERNEL.dSYM beside
// the kernel file, as gdb and lldb find it. Its LC_UUID must be the kernel file's, like the
// kernel's must be the running kernel's (--force loads it anyway).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/invocation.h"
#include "kgm/dwarf_info.h"
#include "macho/kernel_image.h"

namespace kdp::cli {

// nullptr when no dSYM is named and none lies beside the kernel file. `kernel` is the loaded
// kernel file (null without one: nothing to find the dSYM beside or to compare UUIDs with).
Expected<std::shared_ptr<kgm::DwarfInfo>> load_debug_info(const Invocation& inv, const macho::KernelImage* kernel);

// What `command` says when it needs DWARF and has none: how to supply it.
Error no_debug_info(std::string_view command);

}  // namespace kdp::cli
