#include "cli/kernel_hooks.h"

#include "cli/core/number.h"

#include "kgm/expr.h"
#include "kgm/memory_read.h"
#include "kgm/session_memory.h"
#include "macho/kernel_image.h"
#include "macho/kernel_match.h"

namespace kdp::cli {

Expected<uint64_t> KernelHooks::evaluate(std::string_view text) const {
  return usage_error("\"" + std::string(text) + "\" is not a number, and this kdpctl was built without "
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
    return Instruction{line.substr(line.find('\t') + 1), decoded.front().bytes.size()};
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
  MachoHooks(std::optional<macho::KernelImage> kernel, HookTarget target, macho::Syntax syntax)
      : kernel_(std::move(kernel)), target_(std::move(target)), syntax_(syntax) {}

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
    return kgm::evaluate_address(text, expression_context(index(), target_));
  }

  // For the session overload: the memory target_.memory points at.
  std::unique_ptr<kgm::Memory> owned_memory;

 private:
  const macho::SymbolIndex* index() const { return kernel_ ? &kernel_->symbols() : nullptr; }

  std::optional<macho::KernelImage> kernel_;
  HookTarget target_;
  macho::Syntax syntax_;
};

Expected<macho::KernelImage> load_matching_kernel(const std::string& path, const client::TargetInfo* target,
                                                  bool force) {
  KDP_TRY(macho::KernelImage image, macho::load_kernel_image(path));
  if (target) {
    // A kernel file that is not the running kernel gives wrong names everywhere; --force is for
    // the user who knows better (e.g. a rebuilt kernel with the same layout).
    auto uuid = macho::check_uuid(target->uuid, image);
    if (!uuid && !force)
      return Error(uuid.error().kind(), uuid.error().message() + " (--force loads it anyway)");
    KDP_TRY(uint64_t slide, macho::compute_slide(target->stext, image));
    image.set_slide(slide);
  }
  return image;
}

Expected<std::unique_ptr<MachoHooks>> make_hooks(const Invocation& inv, const State& state, HookTarget target) {
  KDP_TRY(macho::Syntax syntax, disassembly_syntax(inv, state));
  const std::optional<std::string> path = inv.global.kernel ? inv.global.kernel : state.kernel;
  if (!path) return std::make_unique<MachoHooks>(std::nullopt, std::move(target), syntax);
  auto image = load_matching_kernel(*path, target.running, inv.global.force);
  if (!image) return std::move(image).error().context("--kernel " + *path);
  return std::make_unique<MachoHooks>(std::move(image).value(), std::move(target), syntax);
}

}  // namespace

Expected<macho::Syntax> disassembly_syntax(const Invocation& inv, const State& state) {
  const std::optional<std::string>& flavor = inv.global.syntax ? inv.global.syntax : state.disassembly_flavor;
  if (!flavor || *flavor == "att") return macho::Syntax::kAtt;
  if (*flavor == "intel") return macho::Syntax::kIntel;
  return usage_error("unknown disassembly flavor \"" + *flavor + "\" (att or intel)");
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
