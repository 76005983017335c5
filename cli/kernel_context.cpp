#include "cli/kernel_context.h"

#include "kgm/layouts_xnu1699.h"

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

Expected<std::unique_ptr<KernelModel>> KernelModel::open(TargetView& target, std::string_view command) {
  const macho::SymbolIndex* index = target.hooks.symbol_index();
  if (index == nullptr) return usage_error(std::string(command) + " needs the kernel's symbols: give --kernel PATH");
  KDP_TRY(std::string version, kernel_version(target, kgm::SymbolIndexSource(*index)));
  KDP_TRY(kgm::TypeModel types, kgm::builtin_types_for(version));
  return std::unique_ptr<KernelModel>(new KernelModel(target, *index, std::move(types), std::move(version)));
}

}  // namespace kdp::cli
