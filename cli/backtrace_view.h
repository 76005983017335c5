// A stack as `bt` shows it: walked by frame pointers from the given registers, each frame named by
// the kernel's symbols (kext frames by the kmod list when the kernel's types are known) and, with
// the kernel's dSYM, as a source-level frame (function, arguments, file:line). Shared by bt, frame,
// up, down, info frame and info threads, so each prints a frame exactly as bt does.
#pragma once

#include <optional>
#include <string>

#include "cli/target_memory.h"
#include "kgm/backtrace.h"

namespace kdp::cli {

// `types_file`: --types. A failed read ends the walk with the error in Backtrace::error.
kgm::Backtrace symbolic_backtrace(TargetView& target, const wire::X86ThreadState64& regs,
                                  const std::optional<std::string>& types_file, size_t max_frames = kgm::kMaxFrames);

}  // namespace kdp::cli
