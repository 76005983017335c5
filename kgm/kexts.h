// The loaded kexts, from the kernel's `kmod` list (kmod_info_t, linked through `next`), and the
// names kgmacros gives addresses outside the kernel: "<com.apple.driver.X + 0x1f0>".
// KextNamer reads the list lazily, as far as a lookup needs, once per command.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "kdp/base/json.h"
#include "kgm/context.h"
#include "kgm/walk.h"
#include "macho/symbolizer.h"

namespace kdp::kgm {

struct Kext {
  uint64_t kmod_info = 0;
  uint64_t address = 0;
  uint64_t size = 0;
  uint32_t id = 0;
  int32_t reference_count = 0;
  std::string version;
  std::string name;
};

inline constexpr std::string_view kKmodFields[] = {"next", "id", "name", "version", "reference_count", "address", "size"};

// One kmod_info, and the address of the next.
Expected<Kext> read_kext(const KernelContext& ctx, uint64_t kmod_info, uint64_t* next);

// The showallkmods row (showkmodint) and its JSON.
std::string render_text(const Kext& k);
void write_json(JsonWriter& j, const Kext& k);

struct KextOffset {
  const Kext* kext = nullptr;
  uint64_t offset = 0;
};

class KextNamer {
 public:
  explicit KextNamer(const KernelContext& ctx) : ctx_(ctx), guard_("kmod") {}

  // The kext whose [address, address+size) holds `address`; nullopt when none does. Addresses at
  // or above the kernel's Mach header are never looked up (x86_64 kexts live below the kernel).
  // An error when the list breaks before the answer is known.
  Expected<std::optional<KextOffset>> find(uint64_t address);

  // The kext whose kmod_info.name is `name` (a bundle id); nullopt when the list has none.
  Expected<std::optional<Kext>> find_named(std::string_view name);

  // "com.apple.driver.X + 0x1f0" (no kgmacros equivalent: for bt and JSON output).
  Expected<std::optional<std::string>> describe(uint64_t address);

  // kgmacros' showkmodaddr: "0x%016llx" and, inside a kext, " <name + 0xoff>".
  Expected<std::string> showkmodaddr(uint64_t address);

 private:
  Status read_more();

  const KernelContext& ctx_;
  std::deque<Kext> kexts_;  // stable addresses for KextOffset
  WalkGuard guard_;
  uint64_t next_ = 0;
  bool started_ = false;
  bool complete_ = false;
};

// Names any address for macho::Symbolizer users (bt, disassembly): kernel addresses through the
// kernel's symbols, the rest by their kext ("com.apple.driver.X" + offset). A broken kmod list leaves kext
// addresses unnamed here (a Symbolizer has no error channel).
class KernelAndKextSymbolizer : public macho::Symbolizer {
 public:
  explicit KernelAndKextSymbolizer(const KernelContext& ctx) : ctx_(ctx), kexts_(ctx) {}
  std::optional<macho::SymbolOffset> symbolize(uint64_t address) const override;

 private:
  const KernelContext& ctx_;
  mutable KextNamer kexts_;
  mutable std::string last_name_;  // backs the string_view of the last answer
};

}  // namespace kdp::kgm
