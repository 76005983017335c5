// What a kgmacros command gets: the kernel's memory, its type model, its symbols and its version.
// The CLI builds one KernelContext per invocation (live: over the session's memory, version from
// KDP_KERNELVERSION; offline: over a core or the kernel file, version read from the `version`
// symbol with read_kernel_version).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/error.h"
#include "kgm/memory.h"
#include "kgm/types.h"
#include "macho/symbol_index.h"

namespace kdp::kgm {

struct SymbolRef {
  std::string name;  // display name, no leading '_'
  uint64_t offset = 0;
};

// Name -> address and address -> symbol for the running kernel (slid addresses).
class SymbolSource {
 public:
  virtual ~SymbolSource() = default;
  // C names as gdb spells them ("allproc", "_mh_execute_header").
  virtual std::optional<uint64_t> address_of(std::string_view name) const = 0;
  virtual std::optional<SymbolRef> symbolize(uint64_t address) const = 0;
  // kgmacros.md §1: kernel addresses are [&_mh_execute_header, &last_kernel_symbol); the rest
  // (kexts live below the kernel on x86_64) are named from the kmod list instead.
  virtual bool is_kernel_address(uint64_t address) const = 0;

  // "kalloc+0x10" / "kalloc"; nullopt when no symbol covers the address.
  std::optional<std::string> format(uint64_t address) const;
  // For messages: "no symbol 'allproc' in <description>".
  virtual std::string description() const { return "the kernel's symbols"; }
};

// The adapter over the kernel file's symbol index.
class SymbolIndexSource : public SymbolSource {
 public:
  explicit SymbolIndexSource(const macho::SymbolIndex& index) : index_(index) {}
  std::optional<uint64_t> address_of(std::string_view name) const override;
  std::optional<SymbolRef> symbolize(uint64_t address) const override;
  bool is_kernel_address(uint64_t address) const override;

 private:
  const macho::SymbolIndex& index_;
};

// A symbol table given as a map (tests, fuzzing, fixture worlds). A kernel address is attributed
// to the nearest symbol at or below it; the kernel range comes from `_mh_execute_header` and
// `last_kernel_symbol` when both are present (everything is "kernel" otherwise).
class MapSymbolSource : public SymbolSource {
 public:
  MapSymbolSource() = default;
  explicit MapSymbolSource(std::map<std::string, uint64_t, std::less<>> symbols);
  void add(std::string name, uint64_t address);
  std::optional<uint64_t> address_of(std::string_view name) const override;
  std::optional<SymbolRef> symbolize(uint64_t address) const override;
  bool is_kernel_address(uint64_t address) const override;
  std::string description() const override { return description_; }
  void set_description(std::string description) { description_ = std::move(description); }

 private:
  std::string description_ = "the kernel's symbols";
  std::map<std::string, uint64_t, std::less<>> by_name_;
  std::map<uint64_t, std::string> by_address_;
};

struct KernelContext {
  Memory& memory;
  const TypeModel& types;
  const SymbolSource& symbols;
  std::string version;  // the kernel's version text (KDP_KERNELVERSION reply or `version`)

  // The address of a global the command needs; kNotFound naming it when the symbols lack it.
  Expected<uint64_t> global(std::string_view name) const;
};

// Offline: the C string at symbol `version` (at most 256 bytes, as the kernel's own buffer).
Expected<std::string> read_kernel_version(Memory& memory, const SymbolSource& symbols);

}  // namespace kdp::kgm
