#include "cli/debug_info.h"

namespace kdp::cli {
namespace {

Status check_dsym_uuid(const kgm::DwarfInfo& dwarf, const std::string& kernel_path, const std::optional<macho::Uuid>& kernel) {
  if (!kernel) return {};
  if (!dwarf.uuid())
    return usage_error("dSYM " + dwarf.path() + " has no LC_UUID to compare with " + kernel_path + "'s UUID " +
                       macho::format_uuid(*kernel));
  if (*dwarf.uuid() != *kernel)
    return usage_error("dSYM UUID mismatch: " + kernel_path + " has UUID " + macho::format_uuid(*kernel) + ", " +
                       dwarf.path() + " has UUID " + macho::format_uuid(*dwarf.uuid()) +
                       "; its types and source lines would be wrong");
  return {};
}

}  // namespace

Expected<std::shared_ptr<kgm::DwarfInfo>> load_debug_info(const Invocation& inv, const macho::KernelImage* kernel) {
  std::optional<std::string> path;
  if (inv.global.dsym) {
    KDP_TRY(path, kgm::resolve_dsym_path(*inv.global.dsym));
  } else if (kernel) {
    path = kgm::dsym_beside(kernel->path());
  }
  if (!path) return std::shared_ptr<kgm::DwarfInfo>();
  KDP_TRY(auto dwarf, kgm::DwarfInfo::load(*path));
  if (kernel) {
    Status same = check_dsym_uuid(*dwarf, kernel->path(), kernel->uuid());
    if (!same && !inv.global.force) return Error(same.error().kind(), same.error().message() + " (--force loads it anyway)");
    if (!same) inv.warn_once("warning: " + same.error().message());
  }
  return dwarf;
}

Error no_debug_info(std::string_view command) {
  return usage_error(std::string(command) + ": no debug information loaded: give --dsym PATH (a .dSYM bundle or "
                     "its DWARF file), or put KERNEL.dSYM beside the --kernel file");
}

}  // namespace kdp::cli
