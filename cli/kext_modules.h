// The user's own kexts (--kext PATH[@ADDR], repeatable, remembered in the state file like
// --kernel): their executables, slid to where the running kernel loaded them (the kmod list's
// entry for their bundle id, or the address given), checked against the Mach-O header in memory
// there (LC_UUID), with the dSYM beside them. Their symbols and DWARF stand beside the kernel's in
// everything that names addresses (x/i, info symbol, bt, break, info line, list).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/error.h"
#include "kgm/context.h"
#include "kgm/dwarf_info.h"
#include "kgm/memory.h"
#include "macho/kernel_image.h"
#include "macho/symbolizer.h"

namespace kdp::cli {

struct KextSpec {
  std::string path;
  std::optional<uint64_t> address;  // PATH@ADDR
};

// "DebugTest.kext" or "DebugTest.kext@0xffffff7f80b2a000".
Expected<KextSpec> parse_kext_spec(std::string_view text);

struct LoadedKext {
  std::string name;  // the bundle id, else the executable's path
  macho::KernelImage image;               // slid to its load address
  std::shared_ptr<kgm::DwarfInfo> dwarf;  // null without a dSYM

  uint64_t slide() const { return image.slide(); }
  bool contains(uint64_t address) const;
};

// What finding a kext's load address and checking its header needs.
struct KextTarget {
  kgm::Memory* memory = nullptr;  // the running kernel's (live or a core); null: the files alone
  // The kernel's context for reading the kmod list, opened on first need; an error says why it
  // cannot be read (no kernel symbols, no types).
  std::function<Expected<const kgm::KernelContext*>()> kernel;
  bool force = false;  // load a kext whose in-memory UUID differs
  std::optional<std::string> dsym;  // --kext-dsym, for the one kext given
};

// Loads one kext. Without memory (the kernel file alone) the kext stays at its file addresses,
// as gdb shows it before attaching. Errors: "ax.ho.kext.DebugTest is not loaded", a UUID
// mismatch naming both UUIDs (unless force), a file that is no kext.
Expected<LoadedKext> load_kext(const KextSpec& spec, const KextTarget& target);

// The kexts' symbols, then `others` (the kernel's; may be null), behind macho::Symbolizer (x/i
// labels, bt) and kgm::SymbolSource (expressions: `break DebugTest_stop`).
class ModuleSymbolizer final : public macho::Symbolizer {
 public:
  ModuleSymbolizer(const macho::Symbolizer* others, const std::vector<LoadedKext>& kexts) : others_(others), kexts_(kexts) {}
  std::optional<macho::SymbolOffset> symbolize(uint64_t address) const override;

 private:
  const macho::Symbolizer* others_;
  const std::vector<LoadedKext>& kexts_;
};

class ModuleSymbolSource final : public kgm::SymbolSource {
 public:
  ModuleSymbolSource(const macho::SymbolIndex* kernel, const std::vector<LoadedKext>& kexts)
      : kernel_(kernel), kexts_(kexts), symbolizer_(kernel, kexts) {}
  std::optional<uint64_t> address_of(std::string_view name) const override;
  std::optional<kgm::SymbolRef> symbolize(uint64_t address) const override;
  bool is_kernel_address(uint64_t address) const override;

 private:
  const macho::SymbolIndex* kernel_;
  const std::vector<LoadedKext>& kexts_;
  ModuleSymbolizer symbolizer_;
};

// A DWARF file and the slide of the image it describes: the kernel's dSYM or a kext's.
struct DebugModule {
  std::shared_ptr<kgm::DwarfInfo> dwarf;
  uint64_t slide = 0;
};

// The kernel's first, then each kext's that has a dSYM.
std::vector<DebugModule> debug_modules(std::shared_ptr<kgm::DwarfInfo> kernel, uint64_t kernel_slide,
                                       const std::vector<LoadedKext>& kexts);

}  // namespace kdp::cli
