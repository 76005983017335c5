#include "cli/kernel_context.h"

#include "kgm/dwarf_info.h"
#include "kgm/isf.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/symbol_slide.h"

namespace kdp::cli {
namespace {

// The `version` string in kernel memory, as kgmacros print it, so live and offline runs agree;
// a live kernel whose memory lacks it still has its KERNELVERSION reply.
Expected<std::string> kernel_version(const TargetView& target, const kgm::SymbolSource& symbols) {
  auto version = kgm::read_kernel_version(target.memory, symbols);
  if (version || !target.running || target.running->kernel_version.empty()) return version;
  if (version.error().kind() == ErrorKind::kTimeout) return version;
  return target.running->kernel_version;
}

}  // namespace

Expected<kgm::TypeModel> load_types_file(const std::string& path) {
  KDP_TRY(auto isf, kgm::load_isf_file(path));
  const unsigned pointer_size = isf->pointer_size();
  return kgm::TypeModel(std::move(isf), pointer_size);
}

Expected<std::unique_ptr<KernelModel>> KernelModel::open(TargetView& target, std::string_view command,
                                                         const std::optional<std::string>& types_file) {
  std::shared_ptr<const kgm::IsfTypeProvider> isf;
  if (types_file) {
    KDP_TRY(isf, kgm::load_isf_file(*types_file));
  }
  // Symbols: the kernel file's; without one, the ISF file's (unslid there: moved by the slide a
  // live 10.8+ kernel reports).
  std::unique_ptr<kgm::SymbolSource> symbols;
  if (const macho::SymbolIndex* index = target.hooks.symbol_index())
    symbols = std::make_unique<kgm::SymbolIndexSource>(*index);
  else if (isf && !isf->symbols().empty()) {
    const std::string source = "ISF file " + *types_file;
    const std::optional<uint64_t> stext = target.running ? target.running->stext : std::nullopt;
    KDP_TRY(kgm::SymbolMap slid, kgm::slid_symbols(isf->symbols(), stext, source));
    auto from_file = std::make_unique<kgm::MapSymbolSource>(std::move(slid));
    from_file->set_description("the symbols of " + source);
    symbols = std::move(from_file);
  }
  else
    return usage_error(std::string(command) + " needs the kernel's symbols: give --kernel PATH" +
                       (isf ? " (ISF file " + *types_file + " has no symbols)" : ""));
  auto version = kernel_version(target, *symbols);
  // Types: --types wins over the dSYM (the user named it), the dSYM over the built-in layouts.
  if (!isf && target.hooks.debug_info()) {
    if (!version && version.error().kind() == ErrorKind::kTimeout) return std::move(version).error();
    std::string text = version ? std::move(*version) : std::string();
    kgm::TypeModel types(target.hooks.debug_info()->types(), 8);
    return std::unique_ptr<KernelModel>(new KernelModel(target, std::move(symbols), std::move(types), std::move(text)));
  }
  if (!isf) {
    KDP_TRY(std::string text, std::move(version));
    KDP_TRY(kgm::TypeModel types, kgm::builtin_types_for(text));
    return std::unique_ptr<KernelModel>(new KernelModel(target, std::move(symbols), std::move(types), std::move(text)));
  }
  // The file's types need no version; a kernel whose `version` cannot be read still has its types.
  if (!version && version.error().kind() == ErrorKind::kTimeout) return std::move(version).error();
  std::string text = version ? std::move(*version) : std::string();
  const unsigned pointer_size = isf->pointer_size();
  kgm::TypeModel types(std::move(isf), pointer_size);
  return std::unique_ptr<KernelModel>(new KernelModel(target, std::move(symbols), std::move(types), std::move(text)));
}

}  // namespace kdp::cli
