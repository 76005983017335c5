#include "cli/backtrace_view.h"

#include <algorithm>

#include "cli/debug_modules.h"
#include "cli/kernel_context.h"
#include "kgm/dwarf_frames.h"
#include "kgm/kexts.h"

namespace kdp::cli {
namespace {

// Kext frames as the kmod list names them, "com.apple.driver.X + 0x40" (KextNamer::describe, the
// spelling of showkmodaddr); the symbolizer's "name+0x40" is the one disassembly uses. The user's
// own kexts (--kext) keep their function names.
void spell_kext_frames(kgm::Backtrace& bt, const kgm::KernelContext& ctx, const std::vector<LoadedKext>& own) {
  kgm::KextNamer kexts(ctx);
  for (kgm::Frame& f : bt.frames) {
    if (!f.symbol || ctx.symbols.is_kernel_address(f.pc)) continue;
    if (std::any_of(own.begin(), own.end(), [&f](const LoadedKext& k) { return k.contains(f.pc); })) continue;
    if (auto name = kexts.describe(f.pc); name && *name) f.symbol = **name;
  }
}

}  // namespace

kgm::Backtrace symbolic_backtrace(TargetView& target, const wire::X86ThreadState64& regs,
                                  const std::optional<std::string>& types_file, size_t max_frames) {
  // Beyond gdb's `?? ()`: frames in kexts are named from the kmod list when the kernel's types
  // are known; otherwise (or without --kernel) the kernel file's symbols alone.
  const macho::Symbolizer* symbolizer = target.hooks.symbolizer();
  std::unique_ptr<KernelModel> kernel;
  std::optional<kgm::KernelAndKextSymbolizer> with_kexts;
  std::optional<ModuleSymbolizer> own_kexts_first;
  if (target.hooks.symbol_index() != nullptr) {
    if (auto model = KernelModel::open(target, "bt", types_file)) {
      kernel = std::move(model).value();
      symbolizer = &with_kexts.emplace(kernel->context());
      if (!target.hooks.kexts().empty()) symbolizer = &own_kexts_first.emplace(symbolizer, target.hooks.kexts());
    }
  }
  kgm::Backtrace bt = kgm::walk_frames(regs.rip(), regs.rbp(), target.memory, symbolizer, max_frames);
  if (kernel) spell_kext_frames(bt, kernel->context(), target.hooks.kexts());
  // With the kernel's dSYM (or a kext's), frames read as gdb's with debug info: func (arg=value) at file:line.
  add_module_source_frames(bt, target.hooks, target.memory, regs.rsp());
  return bt;
}

}  // namespace kdp::cli
