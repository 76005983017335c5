// Internal: the run functions behind the command table (kgm/commands.h), one family per file.
#pragma once

#include <cstdint>
#include <optional>

#include "kgm/context.h"
#include "kgm/report.h"

namespace kdp::kgm::cmd {

using Arg = std::optional<uint64_t>;

CommandResult showversion(const KernelContext& ctx, Arg);
CommandResult showbootargs(const KernelContext& ctx, Arg);
CommandResult paniclog(const KernelContext& ctx, Arg);
CommandResult showalltasks(const KernelContext& ctx, Arg);
CommandResult showtask(const KernelContext& ctx, Arg task);
CommandResult showpid(const KernelContext& ctx, Arg pid);
CommandResult showproc(const KernelContext& ctx, Arg proc);
CommandResult showprocinfo(const KernelContext& ctx, Arg proc);
CommandResult allproc(const KernelContext& ctx, Arg);
CommandResult zombproc(const KernelContext& ctx, Arg);
CommandResult showproctree(const KernelContext& ctx, Arg pid);
CommandResult showallkmods(const KernelContext& ctx, Arg);
CommandResult showkmodaddr(const KernelContext& ctx, Arg address);
CommandResult showallstacks(const KernelContext& ctx, Arg);
CommandResult showcurrentthreads(const KernelContext& ctx, Arg);
CommandResult showact(const KernelContext& ctx, Arg thread);
CommandResult showactstack(const KernelContext& ctx, Arg thread);
CommandResult zprint(const KernelContext& ctx, Arg);

}  // namespace kdp::kgm::cmd
