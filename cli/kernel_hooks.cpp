#include "cli/kernel_hooks.h"

#include "cli/core/number.h"
#include "cli/core/user_text.h"
#include "cli/debug_info.h"

#include "kgm/expr.h"
#include "kgm/memory_read.h"
#include "kgm/session_memory.h"
#include "macho/kernel_image.h"
#include "macho/kernel_match.h"

namespace kdp::cli {

Expected<uint64_t> KernelHooks::evaluate(std::string_view text) const {
  return usage_error(quote_user_text(text) + " is not a number, and this kdpctl was built without "
                     "address expressions (kgm/)");
}

namespace {

constexpr uint64_t kMaxInstructionBytes = 15;

Disassembler capstone_disassembler(const macho::Symbolizer* symbolizer, macho::Syntax syntax) {
  return [symbolizer, syntax](uint64_t address, kgm::Memory& memory) -> Expected<Instruction> {
    KDP_TRY(Bytes code, memory.read_partial(address, kMaxInstructionBytes));
    if (code.empty()) return kgm::unreadable(memory, address);
    KDP_TRY(auto decoded, macho::disassemble(code, address, 1, symbolizer, syntax));
    if (decoded.empty()) return kgm::cannot_access(address);
    const std::string line = macho::render_instruction(decoded.front());
    // render_instruction gives "   0xADDR <sym>:\t<text>"; the label is examine's job.
    return Instruction{line.substr(line.find('\t') + 1), decoded.front().bytes.size(), decoded.front().bytes};
  };
}

kgm::ExprContext expression_context(const macho::SymbolIndex* symbols, const HookTarget& target) {
  kgm::ExprContext context;
  context.symbols = symbols;
  context.memory = target.memory;
  if (!target.registers) return context;
  context.read_register = [registers = target.registers](std::string_view name) -> Expected<uint64_t> {
    const auto index = wire::X86ThreadState64::index_of(name);
    if (!index) return usage_error("no register named '" + std::string(name) + "'");
    KDP_TRY(wire::X86ThreadState64 regs, registers());
    return regs.regs[*index];
  };
  return context;
}

// Capstone needs no kernel file: x/i works on raw memory, names appear once a kernel is loaded.
class MachoHooks final : public KernelHooks {
 public:
  // `refused`: why the remembered kernel file is not used (it belongs to another kernel); an
  // expression that needs symbols fails with it.
  MachoHooks(std::optional<macho::KernelImage> kernel, HookTarget target, macho::Syntax syntax,
             std::optional<Error> refused = std::nullopt)
      : kernel_(std::move(kernel)), target_(std::move(target)), syntax_(syntax), refused_(std::move(refused)) {}

  SymbolLookup symbols() const override {
    if (!kernel_) return {};
    const macho::SymbolIndex* index = &kernel_->symbols();
    return [index](uint64_t address) -> std::optional<SymbolHit> {
      auto hit = index->symbolize(address);
      if (!hit) return std::nullopt;
      return SymbolHit{std::string(hit->name), hit->offset};
    };
  }
  Disassembler disassembler() const override { return capstone_disassembler(index(), syntax_); }
  const macho::Symbolizer* symbolizer() const override { return index(); }
  const macho::SymbolIndex* symbol_index() const override { return index(); }
  Expected<uint64_t> evaluate(std::string_view text) const override {
    auto value = kgm::evaluate_address(text, expression_context(index(), target_));
    if (value || !refused_) return value;
    return Error(refused_->kind(), value.error().message() + "; no symbols: " + refused_->message());
  }
  const Error* refused() const override { return refused_ ? &*refused_ : nullptr; }
  std::shared_ptr<kgm::DwarfInfo> debug_info() const override { return dwarf; }
  uint64_t slide() const override { return kernel_ ? kernel_->slide() : 0; }

  std::shared_ptr<kgm::DwarfInfo> dwarf;
  // For the session overload: the memory target_.memory points at.
  std::unique_ptr<kgm::Memory> owned_memory;

 private:
  const macho::SymbolIndex* index() const { return kernel_ ? &kernel_->symbols() : nullptr; }

  std::optional<macho::KernelImage> kernel_;
  HookTarget target_;
  macho::Syntax syntax_;
  std::optional<Error> refused_;
};

// The UUID check alone; `unchecked` is set when the running kernel reports no UUID.
Status check_kernel_uuid(const macho::KernelImage& image, const client::TargetInfo& target, bool& unchecked) {
  KDP_TRY(macho::UuidCheck check, macho::check_uuid(target.uuid, image));
  unchecked = check == macho::UuidCheck::kNotReported;
  return {};
}

// A kernel file that is not the running kernel gives wrong names everywhere; --force is for the
// user who knows better (e.g. a rebuilt kernel with the same layout). The file named on this
// command line is refused outright; one remembered in the state (the target may have rebooted
// into another kernel since) only costs the symbols, so commands that need none still work.
Expected<std::unique_ptr<MachoHooks>> hooks_for(const Invocation& inv, const std::string& path, bool remembered,
                                                HookTarget target, macho::Syntax syntax) {
  KDP_TRY(macho::KernelImage image, macho::load_kernel_image(path));
  KDP_TRY(auto dwarf, load_debug_info(inv, &image));
  if (!target.running) {
    auto hooks = std::make_unique<MachoHooks>(std::move(image), std::move(target), syntax);
    hooks->dwarf = std::move(dwarf);
    return hooks;
  }
  const client::TargetInfo& running = *target.running;
  bool unchecked = false;
  Status uuid = check_kernel_uuid(image, running, unchecked);
  if (!uuid && !inv.global.force) {
    if (!remembered) return Error(uuid.error().kind(), uuid.error().message() + " (--force loads it anyway)");
    inv.warn_once("warning: not using the remembered kernel file: " + uuid.error().message() +
                  " (give --kernel PATH, or --force to use it anyway)");
    return std::make_unique<MachoHooks>(std::nullopt, std::move(target), syntax, uuid.error());
  }
  if (unchecked)
    inv.warn_once("warning: the running kernel reports no UUID, so " + path +
                  " could not be checked against it; using it as it is");
  KDP_TRY(uint64_t slide, macho::compute_slide(running.stext, image));
  image.set_slide(slide);
  auto hooks = std::make_unique<MachoHooks>(std::move(image), std::move(target), syntax);
  hooks->dwarf = std::move(dwarf);
  return hooks;
}

Expected<std::unique_ptr<MachoHooks>> make_hooks(const Invocation& inv, const State& state, HookTarget target) {
  KDP_TRY(macho::Syntax syntax, disassembly_syntax(inv, state));
  const bool remembered = !inv.global.kernel;
  const std::optional<std::string> path = remembered ? state.kernel : inv.global.kernel;
  if (!path) {
    auto hooks = std::make_unique<MachoHooks>(std::nullopt, std::move(target), syntax);
    KDP_TRY(hooks->dwarf, load_debug_info(inv, nullptr));  // --dsym alone: types and lines, no symbols
    return hooks;
  }
  auto hooks = hooks_for(inv, *path, remembered, std::move(target), syntax);
  if (!hooks) return std::move(hooks).error().context("--kernel " + *path);
  return hooks;
}

}  // namespace

Expected<macho::Syntax> disassembly_syntax(const Invocation& inv, const State& state) {
  const std::optional<std::string>& flavor = inv.global.syntax ? inv.global.syntax : state.disassembly_flavor;
  if (!flavor || *flavor == "att") return macho::Syntax::kAtt;
  if (*flavor == "intel") return macho::Syntax::kIntel;
  return usage_error("unknown disassembly flavor " + quote_user_text(*flavor) + " (att or intel)");
}

Expected<std::unique_ptr<KernelHooks>> load_kernel_hooks(const Invocation& inv, const State& state,
                                                         HookTarget target) {
  KDP_TRY(auto hooks, make_hooks(inv, state, std::move(target)));
  return std::unique_ptr<KernelHooks>(std::move(hooks));
}

Expected<std::unique_ptr<KernelHooks>> load_kernel_hooks(const Invocation& inv, const State& state,
                                                         client::Session* session) {
  if (!session) return load_kernel_hooks(inv, state, HookTarget{});
  auto memory = std::make_unique<kgm::SessionMemory>(*session);
  HookTarget target{&session->target(), memory.get(), [session] { return session->read_registers(); }};
  KDP_TRY(auto hooks, make_hooks(inv, state, std::move(target)));
  hooks->owned_memory = std::move(memory);
  return std::unique_ptr<KernelHooks>(std::move(hooks));
}

Expected<uint64_t> resolve_address(std::string_view text, const KernelHooks& hooks) {
  if (looks_numeric(text)) return parse_u64(text, "address");
  return hooks.evaluate(text);
}

}  // namespace kdp::cli
