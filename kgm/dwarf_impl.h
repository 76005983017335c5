// Internal to kgm/dwarf_*.cpp: the LLVM side of DwarfInfo. Only these files include LLVM headers.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kgm/dwarf_container.h"
#include "kgm/dwarf_info.h"
#include "kgm/llvm_dwarf.h"
#include "macho/mapped_file.h"

namespace kdp::kgm {

struct DwarfInfo::Impl {
  std::string path;
  // The file, mapped (pages are read only as LLVM touches them) or held in memory; the section
  // buffers below point into it.
  std::optional<macho::MappedFile> mapped;
  Bytes bytes;
  ByteView data;
  DsymContainer container;
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> sections;
  std::unique_ptr<llvm::DWARFContext> context;
  // Without accelerator tables: name -> DIE offsets of types / subprograms, built on first need.
  std::optional<std::multimap<std::string, uint64_t, std::less<>>> scanned_types, scanned_functions;

  bool has_section(std::string_view name) const { return container.sections.contains(name); }
  bool usable_debug_names() const {
    auto names = container.sections.find("debug_names");
    auto strings = container.sections.find("debug_str");
    return names != container.sections.end() && strings != container.sections.end() &&
           debug_names_usable(names->second, strings->second);
  }
  bool usable_apple(std::string_view name) const {
    auto it = container.sections.find(name);
    return it != container.sections.end() && apple_table_usable(it->second);
  }
  // DIE offsets named `name`: from .apple_types/.apple_names (dsymutil writes them), DWARF 5
  // .debug_names, else a one-time scan of every unit.
  std::vector<uint64_t> type_offsets(std::string_view name);
  std::vector<uint64_t> function_offsets(std::string_view name);
  llvm::DWARFDie die_at(uint64_t offset);
};

// The TypeProvider over a DwarfInfo::Impl (kgm/dwarf_types.cpp).
std::shared_ptr<const TypeProvider> make_dwarf_type_provider(DwarfInfo::Impl& impl);
// A DIE's type (DW_AT_type) in the type model; depth bounds typedef/pointer chains.
TypeRef dwarf_type_of(llvm::DWARFDie die, DwarfInfo::Impl& impl, unsigned depth = 0);

}  // namespace kdp::kgm
