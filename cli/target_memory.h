// The one place that decides what memory an invocation reads:
//   --core FILE            a kernel core file, offline: no target, no network;
//   a target (--target or the remembered one)   the live kernel over KDP, through a cache that
//                          lives as long as the kernel stays stopped (kgm::CachedMemory; the
//                          SessionProvider's: one per command directly, one per held session
//                          in the agent);
//   --kernel K, no target  the kernel file itself, as `gdb mach_kernel` reads it before attaching.
// Commands that read kernel memory (x, bt, info symbol, regs, the kgmacros) run their work over a
// TargetView and print after it returns: on a live target the work may run again on a new session
// (open_session's restart), so printing inside it could repeat lines.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "kdp/base/error.h"
#include "kdp/client/session.h"
#include "cli/invocation.h"
#include "cli/kernel_hooks.h"
#include "kgm/memory.h"

namespace kdp::cli {

enum class MemorySource { kLive, kCore, kKernelFile };

struct TargetView {
  MemorySource source;
  kgm::Memory& memory;
  const KernelHooks& hooks;               // symbols from --kernel (checked against the live kernel)
  // The selected frame's registers (cli/frame_selection.h): the stopped CPU's (READREGS, or the
  // core's first thread) unless `thread N`, `switchtoact` or `frame N` chose another.
  RegisterSource registers;
  client::Session* session = nullptr;     // live only
  const client::TargetInfo* running = nullptr;  // live only
  RegisterSource thread_registers = {};   // the selected thread's innermost frame (bt, frame)
  RegisterSource cpu_registers = {};      // the stopped CPU's, whatever is selected
};

using TargetWork = std::function<Status(TargetView& view)>;

// Where this invocation's memory comes from (the rules above); errors when there is none.
Expected<MemorySource> choose_memory_source(const Invocation& inv, const State& state);

// Opens that memory and runs `work` on it. With -v, the last stderr line counts the KDP requests
// sent ("kdpctl: 12 KDP requests (3 cache hits)"; offline: "kdpctl: 0 KDP requests (core FILE)").
Status with_target_memory(const Invocation& inv, State& state, const TargetWork& work);

// For a lookup in symbols and source lines only (list and info line of a location that names no
// register): the kernel file when one is known (--kernel, or the remembered one), so such a command
// never waits on the target (it may be running); else as with_target_memory. Addresses are then the
// file's, unslid, as gdb shows them before it attaches. With kexts (--kext, or remembered ones)
// and a target, the target: only its kmod list says where the kexts are.
Status with_kernel_file_memory(const Invocation& inv, State& state, const TargetWork& work);

}  // namespace kdp::cli
