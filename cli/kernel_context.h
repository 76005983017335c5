// kgm's view of the invocation's kernel (kgm::KernelContext): its memory, the symbols of --kernel
// and the built-in type layouts chosen from its `version` string, or with --types FILE.json the
// ISF file's types (and its symbols when there is no --kernel). Used by the kgmacros adapter,
// print, and bt (kext frames named from the kmod list).
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
  // `command` names the caller in the error when symbols are missing. `target` must outlive this.
  // `types_file` (--types): its ISF types replace the built-in layouts.
  static Expected<std::unique_ptr<KernelModel>> open(TargetView& target, std::string_view command,
                                                     const std::optional<std::string>& types_file = std::nullopt);

  const kgm::KernelContext& context() const { return context_; }

 private:
  KernelModel(TargetView& target, std::unique_ptr<kgm::SymbolSource> symbols, kgm::TypeModel types, std::string version)
      : symbols_(std::move(symbols)), types_(std::move(types)),
        context_{target.memory, types_, *symbols_, std::move(version)} {}

  std::unique_ptr<kgm::SymbolSource> symbols_;
  kgm::TypeModel types_;
  kgm::KernelContext context_;  // refers to the members above
};

// --types FILE.json as a type model (kgm/isf.h); kNotFound/kMalformed naming the file.
Expected<kgm::TypeModel> load_types_file(const std::string& path);

}  // namespace kdp::cli
