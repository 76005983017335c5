#include "macho/symbols.h"

#include <algorithm>

namespace kdp::macho {
namespace {

struct RawNlist {
  uint32_t strx = 0;
  uint8_t type = 0;
  uint8_t sect = 0;
  uint16_t desc = 0;
  uint64_t value = 0;
};

Expected<RawNlist> read_nlist(ByteReader& r) {
  RawNlist n;
  KDP_TRY(n.strx, r.u32("nlist_64.n_strx"));
  KDP_TRY(n.type, r.u8("nlist_64.n_type"));
  KDP_TRY(n.sect, r.u8("nlist_64.n_sect"));
  KDP_TRY(n.desc, r.u16("nlist_64.n_desc"));
  KDP_TRY(n.value, r.u64("nlist_64.n_value"));
  return n;
}

class SymbolReader {
 public:
  SymbolReader(const ByteReader& file, const MachOLayout& layout)
      : file_name_(file.what()),
        layout_(layout),
        slice_(layout.slice.bytes, file.what(), layout.slice.offset) {}

  Expected<SymbolTable> read();

 private:
  Status check_entry(uint32_t index, uint64_t at, const RawNlist& n) const;
  Expected<std::string_view> name_at(uint32_t index, uint64_t at, uint32_t strx) const;

  Error entry_error(uint32_t index, uint64_t at, const std::string& problem) const {
    return malformed(file_name_ + ": symbol " + std::to_string(index) + " (nlist_64 at offset " +
                     hex(at) + "): " + problem);
  }

  std::string file_name_;
  const MachOLayout& layout_;
  ByteReader slice_;
  ByteReader strings_{ByteView{}};
};

Expected<SymbolTable> SymbolReader::read() {
  const SymtabInfo& t = *layout_.symtab;
  KDP_TRY(ByteReader nlists, slice_.sub(t.symoff, uint64_t{t.nsyms} * kNlist64Size, "symbol table"));
  KDP_TRY(strings_, slice_.sub(t.stroff, t.strsize, "string table"));
  SymbolTable table;
  table.symbols.reserve(t.nsyms);
  size_t name_bytes = 0;
  for (uint32_t i = 0; i < t.nsyms; ++i) {
    uint64_t at = nlists.absolute_offset();
    KDP_TRY(RawNlist n, read_nlist(nlists));
    KDP_TRY_STATUS(check_entry(i, at, n));
    if ((n.type & kNStab) != 0) continue;  // debug map (N_OSO, N_FUN, ...), not a symbol
    KDP_TRY(std::string_view name, name_at(i, at, n.strx));
    name_bytes += name.size() + 1;
    table.symbols.push_back(Symbol{name, n.value, n.type, n.sect, n.desc});
  }
  // The names still point into the file's bytes, which the caller may unmap: copy them into one
  // block the table owns (one allocation, not one per name).
  table.names.resize(name_bytes);
  char* out = table.names.data();
  for (Symbol& s : table.symbols) {
    std::copy(s.name.begin(), s.name.end(), out);
    out[s.name.size()] = '\0';
    s.name = std::string_view(out, s.name.size());
    out += s.name.size() + 1;
  }
  return table;
}

Status SymbolReader::check_entry(uint32_t index, uint64_t at, const RawNlist& n) const {
  const uint32_t strsize = layout_.symtab->strsize;
  if (n.strx != 0 && n.strx >= strsize)
    return entry_error(index, at, "n_strx " + hex(n.strx) + " is past the end of the string table (strsize " +
                                      hex(strsize) + ")");
  bool is_stab = (n.type & kNStab) != 0;
  if (!is_stab && (n.type & kNTypeMask) == kNSect &&
      (n.sect == 0 || n.sect > layout_.sections.size()))
    return entry_error(index, at, "n_sect " + std::to_string(n.sect) + " but the file has " +
                                      std::to_string(layout_.sections.size()) + " sections");
  return {};
}

// The NUL-terminated name at n_strx, as a view into the file; n_strx 0 is the empty name.
Expected<std::string_view> SymbolReader::name_at(uint32_t index, uint64_t at, uint32_t strx) const {
  if (strx == 0) return std::string_view();
  ByteView rest = strings_.data().subspan(strx);  // strx < strsize: checked by check_entry
  auto nul = std::find(rest.begin(), rest.end(), uint8_t{0});
  if (nul == rest.end())
    return entry_error(index, at, "name at n_strx " + hex(strx) +
                                      " is not NUL-terminated inside the string table");
  return std::string_view(reinterpret_cast<const char*>(rest.data()),
                          static_cast<size_t>(nul - rest.begin()));
}

}  // namespace

std::string_view display_name(std::string_view file_name) {
  if (!file_name.empty() && file_name.front() == '_') file_name.remove_prefix(1);
  return file_name;
}

Expected<SymbolTable> read_symbols(const ByteReader& file, const MachOLayout& layout) {
  return SymbolReader(file, layout).read();
}

}  // namespace kdp::macho
