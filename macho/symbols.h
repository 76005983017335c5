// The kernel's nlist_64 symbol table, read through ByteReader. STABS entries (the KDK kernel keeps
// ~69,000 of them: the N_OSO/N_FUN debug map) are validated and skipped; what remains are the real
// symbols gdb calls "minimal symbols".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "macho/format.h"
#include "macho/layout.h"

namespace kdp::macho {

struct Symbol {
  std::string_view name;  // as stored in the file: C names carry a leading '_'
  uint64_t address = 0;   // n_value: the file's address, before any slide
  uint8_t type = 0;       // n_type
  uint8_t section = 0;    // n_sect: 1-based index into MachOLayout::sections, 0 = none
  uint16_t desc = 0;      // n_desc

  bool is_external() const { return (type & kNExt) != 0; }
  uint8_t kind() const { return type & kNTypeMask; }  // kNSect, kNAbs, kNUndf, kNIndr
};

// The name gdb shows: the file's name without the one leading '_' the C compiler adds
// ("_kext_alloc" -> "kext_alloc", "__mh_execute_header" -> "_mh_execute_header").
std::string_view display_name(std::string_view file_name);

// Owns the names the symbols point into. Move-only: a copy would leave the views pointing at the
// original's storage.
struct SymbolTable {
  SymbolTable() = default;
  SymbolTable(SymbolTable&&) = default;
  SymbolTable& operator=(SymbolTable&&) = default;
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  std::vector<char> names;
  std::vector<Symbol> symbols;
};

// Reads every nlist_64 of the layout's LC_SYMTAB. Fails (naming the file, the entry and its offset)
// when an n_strx points past the string table, a name is not NUL-terminated inside it, or an
// N_SECT symbol names a section the file does not have.
Expected<SymbolTable> read_symbols(const ByteReader& file, const MachOLayout& layout);

}  // namespace kdp::macho
