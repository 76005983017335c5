#include "cli/kernel_hooks.h"

#include "cli/core/number.h"

#include "kgm/expr.h"
#include "macho/disasm.h"
#include "macho/kernel_image.h"
#include "macho/kernel_match.h"

namespace kdp::cli {

Expected<uint64_t> KernelHooks::evaluate(std::string_view text) const {
  return usage_error("\"" + std::string(text) + "\" is not a number, and this kdpctl was built without "
                     "address expressions (kgm/)");
}

namespace {

constexpr uint64_t kMaxInstructionBytes = 15;

Disassembler capstone_disassembler(const macho::Symbolizer* symbolizer) {
  return [symbolizer](uint64_t address, const MemoryReader& read) -> Expected<Instruction> {
    KDP_TRY(Bytes code, read(address, kMaxInstructionBytes));
    if (code.empty()) return cannot_access(address);
    KDP_TRY(auto decoded, macho::disassemble(code, address, 1, symbolizer));
    if (decoded.empty()) return cannot_access(address);
    const std::string line = macho::render_instruction(decoded.front());
    // render_instruction gives "   0xADDR <sym>:\t<text>"; the label is examine's job.
    return Instruction{line.substr(line.find('\t') + 1), decoded.front().bytes.size()};
  };
}

kgm::ExprContext expression_context(const macho::SymbolIndex* symbols, client::Session* session) {
  kgm::ExprContext context;
  context.symbols = symbols;
  if (!session) return context;
  context.read_pointer = [session](uint64_t address) -> Expected<uint64_t> {
    KDP_TRY(Bytes bytes, session->read_memory(address, 8));
    ByteReader reader(bytes, "pointer at " + hex(address));
    return reader.u64("value");
  };
  context.read_register = [session](std::string_view name) -> Expected<uint64_t> {
    const auto index = wire::X86ThreadState64::index_of(name);
    if (!index) return usage_error("no register named '" + std::string(name) + "'");
    KDP_TRY(wire::X86ThreadState64 regs, session->read_registers());
    return regs.regs[*index];
  };
  return context;
}

// Capstone needs no kernel file: x/i works on raw memory, names appear once a kernel is loaded.
class MachoHooks final : public KernelHooks {
 public:
  MachoHooks(std::optional<macho::KernelImage> kernel, client::Session* session)
      : kernel_(std::move(kernel)), session_(session) {}

  SymbolLookup symbols() const override {
    if (!kernel_) return {};
    const macho::SymbolIndex* index = &kernel_->symbols();
    return [index](uint64_t address) -> std::optional<SymbolHit> {
      auto hit = index->symbolize(address);
      if (!hit) return std::nullopt;
      return SymbolHit{std::string(hit->name), hit->offset};
    };
  }
  Disassembler disassembler() const override { return capstone_disassembler(index()); }
  const macho::Symbolizer* symbolizer() const override { return index(); }
  Expected<uint64_t> evaluate(std::string_view text) const override {
    return kgm::evaluate_address(text, expression_context(index(), session_));
  }

 private:
  const macho::SymbolIndex* index() const { return kernel_ ? &kernel_->symbols() : nullptr; }

  std::optional<macho::KernelImage> kernel_;
  client::Session* session_;
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

}  // namespace

Expected<std::unique_ptr<KernelHooks>> load_kernel_hooks(const Invocation& inv, const State& state,
                                                         client::Session* session) {
  const std::optional<std::string> path = inv.global.kernel ? inv.global.kernel : state.kernel;
  if (!path) return std::unique_ptr<KernelHooks>(std::make_unique<MachoHooks>(std::nullopt, session));
  auto image = load_matching_kernel(*path, session ? &session->target() : nullptr, inv.global.force);
  if (!image) return std::move(image).error().context("--kernel " + *path);
  return std::unique_ptr<KernelHooks>(std::make_unique<MachoHooks>(std::move(image).value(), session));
}


Expected<uint64_t> resolve_address(std::string_view text, const KernelHooks& hooks) {
  if (looks_numeric(text)) return parse_u64(text, "address");
  return hooks.evaluate(text);
}

}  // namespace kdp::cli
