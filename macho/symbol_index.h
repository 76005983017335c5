// Name -> address (hash map) and address -> symbol (sorted vector, binary search) over a kernel's
// symbols, with a slide: every address that goes in or comes out is the slid (running) address.
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "macho/layout.h"
#include "macho/symbolizer.h"
#include "macho/symbols.h"

namespace kdp::macho {

class SymbolIndex : public Symbolizer {
 public:
  SymbolIndex() = default;
  // `segments`/`sections` are the file's (unslid) ones; they bound how far past a symbol an
  // address may still be attributed to it (gdb does not name heap addresses after the last symbol).
  SymbolIndex(SymbolTable table, std::span<const Segment> segments, std::span<const Section> sections);
  SymbolIndex(SymbolIndex&&) = default;
  SymbolIndex& operator=(SymbolIndex&&) = default;

  // Accepts what users type ("kext_alloc", "_mh_execute_header") and the file's own spelling
  // ("_kext_alloc", "__mh_execute_header"): first as a C name (with the compiler's '_' added),
  // then as written. Returns the slid address. Prefers external symbols among duplicates.
  std::optional<uint64_t> lookup(std::string_view name) const;
  const Symbol* find(std::string_view name) const;

  // The symbol at or before `address` (slid) in the same section, and the distance to it.
  std::optional<SymbolOffset> symbolize(uint64_t address) const override;
  // "kext_alloc+0x10" / "kext_alloc"; nullopt when no symbol covers the address.
  std::optional<std::string> format(uint64_t address) const;

  // kgmacros' split (kgmacros.md §1): kernel addresses are [&_mh_execute_header,
  // &_last_kernel_symbol); everything else (kexts live below the kernel) is "not kernel".
  // Falls back to the span of the file's segments when either symbol is missing.
  bool is_kernel_address(uint64_t address) const;

  uint64_t slide() const { return slide_; }
  void set_slide(uint64_t slide) { slide_ = slide; }
  // A symbol's running address (file address + slide for symbols that move with the image).
  uint64_t address_of(const Symbol& s) const;

  std::span<const Symbol> symbols() const { return table_.symbols; }
  size_t size() const { return table_.symbols.size(); }

 private:
  static constexpr uint32_t kEmptySlot = UINT32_MAX;

  void build_name_map();
  void build_address_index(std::span<const Segment> segments, std::span<const Section> sections);
  void find_kernel_range();
  bool slides(const Symbol& s) const;
  uint64_t limit_of(const Symbol& s, std::span<const Segment> segments,
                    std::span<const Section> sections) const;
  void build_buckets();

  SymbolTable table_;
  // Name -> symbol: open addressing over symbol indexes (linear probing, power-of-two size). One
  // flat array instead of a node per name: loading is dominated by first-touch page faults, and
  // this is a quarter of std::unordered_map's memory.
  std::vector<uint32_t> name_slots_;
  // Address -> symbol, as parallel arrays sorted by address so the binary search reads only
  // `addresses_`: one entry per distinct address that names a location in the image.
  std::vector<uint64_t> addresses_;      // unslid
  std::vector<uint32_t> entry_symbol_;   // index into table_.symbols
  std::vector<uint32_t> entry_limit_;    // index into limits_
  std::vector<uint64_t> limits_;         // addresses < limit may be attributed to the symbol
  // A coarse jump table over the sorted addresses: bucket b covers addresses from
  // addresses_.front() + (b << bucket_shift_), and bucket_first_[b] is its first entry. A lookup
  // binary-searches one bucket (a handful of entries) instead of all 22,545: >5 M lookups/s
  // even on a loaded machine.
  std::vector<uint32_t> bucket_first_;
  unsigned bucket_shift_ = 0;
  uint64_t kernel_start_ = 0;  // unslid
  uint64_t kernel_end_ = 0;
  uint64_t slide_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> image_ranges_;  // unslid [start, end) of segments
};

}  // namespace kdp::macho
