#include "cli/debug_modules.h"

#include "kgm/dwarf_frames.h"

namespace kdp::cli {

std::optional<DebugModule> module_at(const KernelHooks& hooks, uint64_t address) {
  for (DebugModule& m : hooks.debug_modules()) {
    const uint64_t file_address = address - m.slide;
    if (m.dwarf->function_at(file_address) || m.dwarf->line_at(file_address)) return std::move(m);
  }
  return std::nullopt;
}

std::optional<ModuleFunction> function_named(const KernelHooks& hooks, std::string_view name) {
  for (DebugModule& m : hooks.debug_modules())
    if (auto f = m.dwarf->function_named(name)) return ModuleFunction{std::move(m), std::move(*f)};
  return std::nullopt;
}

std::optional<kgm::SourceFrame> module_source_frame(const KernelHooks& hooks, uint64_t pc, uint64_t rbp, bool caller,
                                                    kgm::Memory& memory, std::optional<uint64_t> rsp) {
  for (const DebugModule& m : hooks.debug_modules())
    if (auto frame = kgm::source_frame(*m.dwarf, pc, rbp, caller, memory, m.slide, rsp)) return frame;
  return std::nullopt;
}

void add_module_source_frames(kgm::Backtrace& bt, const KernelHooks& hooks, kgm::Memory& memory,
                              std::optional<uint64_t> rsp) {
  for (size_t i = 0; i < bt.frames.size(); ++i) {
    kgm::Frame& f = bt.frames[i];
    f.source = module_source_frame(hooks, f.pc, f.frame_pointer, i > 0, memory, i == 0 ? rsp : std::nullopt);
  }
}

}  // namespace kdp::cli
