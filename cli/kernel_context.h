// kgm's view of the invocation's kernel (kgm::KernelContext): its memory, the symbols of --kernel
// and the built-in type layouts chosen from its `version` string. Used by the kgmacros adapter
// and by bt (kext frames named from the kmod list).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/target_memory.h"
#include "kgm/context.h"
#include "kgm/types.h"

namespace kdp::cli {

class KernelModel {
 public:
  // `command` names the caller in the error when --kernel is missing. `target` must outlive this.
  static Expected<std::unique_ptr<KernelModel>> open(TargetView& target, std::string_view command);

  const kgm::KernelContext& context() const { return context_; }

 private:
  KernelModel(TargetView& target, const macho::SymbolIndex& index, kgm::TypeModel types, std::string version)
      : symbols_(index), types_(std::move(types)), context_{target.memory, types_, symbols_, std::move(version)} {}

  kgm::SymbolIndexSource symbols_;
  kgm::TypeModel types_;
  kgm::KernelContext context_;  // refers to the members above
};

}  // namespace kdp::cli
