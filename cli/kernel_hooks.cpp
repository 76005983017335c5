#include "cli/kernel_hooks.h"

#include "cli/core/number.h"
#include "cli/core/user_text.h"
#include "cli/debug_info.h"

#include "cli/kernel_context.h"
#include "kgm/expr.h"
#include "kgm/expr_types.h"
#include "kgm/globals.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/memory_read.h"
#include "kgm/session_memory.h"
#include "macho/kernel_image.h"
#include "macho/kernel_match.h"

namespace kdp::cli {

const std::vector<LoadedKext>& KernelHooks::kexts() const {
  static const std::vector<LoadedKext> kNone;
  return kNone;
}

Expected<uint64_t> KernelHooks::evaluate(std::string_view text) const {
  auto value = kgm::evaluate_address(text, expression_context());
  if (value || !refused()) return value;
  return Error(refused()->kind(), value.error().message() + "; no symbols: " + refused()->message());
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

// The kernel's types for expressions, chosen as KernelModel chooses them: --types, else the dSYM,
// else the built-in layouts for the `version` the kernel reports. Null when none can be had.
class LazyTypes {
 public:
  LazyTypes(std::optional<std::string> types_file, const HookTarget& target)
      : types_file_(std::move(types_file)), target_(target) {}
  void set_types_file(std::optional<std::string> path) { types_file_ = std::move(path); }
  const kgm::TypeModel* get(const macho::SymbolIndex* symbols, const std::shared_ptr<kgm::DwarfInfo>& dwarf) {
    if (!tried_) {
      tried_ = true;
      model_ = open(symbols, dwarf);
    }
    return model_ ? &*model_ : nullptr;
  }

 private:
  std::optional<kgm::TypeModel> open(const macho::SymbolIndex* symbols, const std::shared_ptr<kgm::DwarfInfo>& dwarf) {
    if (types_file_) {
      auto model = load_types_file(*types_file_);
      return model ? std::optional<kgm::TypeModel>(std::move(*model)) : std::nullopt;
    }
    if (dwarf) return kgm::TypeModel(dwarf->types(), 8);
    std::string version = target_.running ? target_.running->kernel_version : std::string();
    if (symbols && target_.memory) {
      kgm::SymbolIndexSource source(*symbols);
      if (auto text = kgm::read_kernel_version(*target_.memory, source)) version = std::move(*text);
    }
    auto model = kgm::builtin_types_for(version);
    return model ? std::optional<kgm::TypeModel>(std::move(*model)) : std::nullopt;
  }

  std::optional<std::string> types_file_;
  const HookTarget& target_;
  bool tried_ = false;
  std::optional<kgm::TypeModel> model_;
};

constexpr uint32_t kCodeSectionFlags = 0x80000400;  // S_ATTR_PURE_INSTRUCTIONS | S_ATTR_SOME_INSTRUCTIONS

bool in_code_section(const macho::KernelImage& image, uint64_t address) {
  for (const macho::Section& s : image.sections())
    if (s.contains(address)) return (s.flags & kCodeSectionFlags) != 0;
  return false;
}

kgm::ExprContext expression_context(const kgm::SymbolSource* symbols, const HookTarget& target) {
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
      : kernel_(std::move(kernel)), target_(std::move(target)), syntax_(syntax), refused_(std::move(refused)),
        types_(std::nullopt, target_) {
    if (kernel_) symbol_source_.emplace(kernel_->symbols());
  }

  SymbolLookup symbols() const override {
    const macho::Symbolizer* named = symbolizer();
    if (!named) return {};
    return [named](uint64_t address) -> std::optional<SymbolHit> {
      auto hit = named->symbolize(address);
      if (!hit) return std::nullopt;
      return SymbolHit{std::string(hit->name), hit->offset};
    };
  }
  Disassembler disassembler() const override { return capstone_disassembler(symbolizer(), syntax_); }
  const macho::Symbolizer* symbolizer() const override {
    if (!kexts_.empty()) return &module_symbolizer_;
    return index();
  }
  const macho::SymbolIndex* symbol_index() const override { return index(); }
  kgm::ExprContext expression_context() const override {
    const kgm::SymbolSource* symbols = symbol_source_ ? &*symbol_source_ : nullptr;
    if (!kexts_.empty()) symbols = &module_source_;
    kgm::ExprContext context = cli::expression_context(symbols, target_);
    context.types = [this] { return types_.get(index(), dwarf); };
    if (!kernel_ && kexts_.empty()) return context;
    context.symbol_type = [this](std::string_view name, uint64_t address) -> std::optional<kgm::TypeRef> {
      for (const LoadedKext& k : kexts_)
        if (k.contains(address)) return in_code_section(k.image, address) ? std::optional(kgm::expr::function_type()) : std::nullopt;
      if (kernel_ && in_code_section(*kernel_, address)) return kgm::expr::function_type();
      return kgm::declared_global_type(name, types_.get(index(), dwarf));
    };
    return context;
  }
  const std::vector<LoadedKext>& kexts() const override { return kexts_; }
  void set_kexts(std::vector<LoadedKext> kexts) { kexts_ = std::move(kexts); }
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
  std::optional<kgm::SymbolIndexSource> symbol_source_;
  std::vector<LoadedKext> kexts_;  // refered to by the two below
  ModuleSymbolizer module_symbolizer_{index(), kexts_};
  ModuleSymbolSource module_source_{index(), kexts_};

 public:
  mutable LazyTypes types_;
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

// The kmod list is read with the kernel's symbols and types, as showallkmods reads it.
class KmodReader {
 public:
  KmodReader(MachoHooks& hooks, kgm::Memory* memory) : hooks_(hooks), memory_(memory) {}
  Expected<const kgm::KernelContext*> open() {
    if (context_) return &*context_;
    const macho::SymbolIndex* index = hooks_.symbol_index();
    if (!index || !memory_)
      return usage_error("finding a kext in the kmod list needs the kernel's symbols: give --kernel PATH, or --kext PATH@ADDR");
    const kgm::TypeModel* types = hooks_.types_.get(index, hooks_.dwarf);
    if (!types) return usage_error("finding a kext in the kmod list needs the kernel's types (struct kmod_info): give --types or --dsym, or --kext PATH@ADDR");
    source_.emplace(*index);
    context_.emplace(kgm::KernelContext{*memory_, *types, *source_, ""});
    return &*context_;
  }

 private:
  MachoHooks& hooks_;
  kgm::Memory* memory_;
  std::optional<kgm::SymbolIndexSource> source_;
  std::optional<kgm::KernelContext> context_;
};

// --kext on this command line must load (or the command fails); a remembered one that cannot
// (the kext was unloaded, or rebuilt) only warns, as a remembered kernel of another UUID does.
Status attach_kexts(const Invocation& inv, const State& state, MachoHooks& hooks, const HookTarget& target) {
  const bool remembered = inv.global.kexts.empty();
  const std::vector<std::string>& given = remembered ? state.kexts : inv.global.kexts;
  if (given.empty()) return {};
  if (inv.global.kext_dsym && given.size() != 1)
    return usage_error("--kext-dsym names the dSYM of one kext; with " + std::to_string(given.size()) +
                       " kexts, put each PATH.dSYM beside its kext");
  KmodReader kmods(hooks, target.memory);
  KextTarget where;
  where.memory = target.kernel_file ? nullptr : target.memory;
  where.kernel = [&kmods] { return kmods.open(); };
  where.force = inv.global.force;
  if (!remembered) where.dsym = inv.global.kext_dsym;
  std::vector<LoadedKext> kexts;
  for (const std::string& text : given) {
    auto kext = [&]() -> Expected<LoadedKext> {
      KDP_TRY(KextSpec spec, parse_kext_spec(text));
      return load_kext(spec, where);
    }();
    if (kext) {
      kexts.push_back(std::move(*kext));
      continue;
    }
    if (!remembered) return std::move(kext).error().context("--kext " + text);
    inv.warn_once("warning: not using the remembered kext " + text + ": " + kext.error().message());
  }
  hooks.set_kexts(std::move(kexts));
  return {};
}

Expected<std::unique_ptr<MachoHooks>> make_kernel_hooks(const Invocation& inv, const State& state, HookTarget target) {
  KDP_TRY(macho::Syntax syntax, disassembly_syntax(inv, state));
  const bool remembered = !inv.global.kernel;
  const std::optional<std::string> path = remembered ? state.kernel : inv.global.kernel;
  if (!path) {
    auto hooks = std::make_unique<MachoHooks>(std::nullopt, std::move(target), syntax);
    KDP_TRY(hooks->dwarf, load_debug_info(inv, nullptr));  // --dsym alone: types and lines, no symbols
    hooks->types_.set_types_file(inv.global.types);
    return hooks;
  }
  auto hooks = hooks_for(inv, *path, remembered, std::move(target), syntax);
  if (!hooks) return std::move(hooks).error().context("--kernel " + *path);
  (*hooks)->types_.set_types_file(inv.global.types);
  return hooks;
}

Expected<std::unique_ptr<MachoHooks>> make_hooks(const Invocation& inv, const State& state, HookTarget target) {
  KDP_TRY(auto hooks, make_kernel_hooks(inv, state, target));
  KDP_TRY_STATUS(attach_kexts(inv, state, *hooks, target));
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
  // A plain number needs no kernel; anything else ("0x10+8", "&kext_alloc_base") is an expression.
  if (looks_numeric(text))
    if (auto number = parse_u64(text, "address")) return *number;
  return hooks.evaluate(text);
}

}  // namespace kdp::cli
