#include "macho/symbol_index.h"

#include <algorithm>
#include <functional>

#include "kdp/base/bytes.h"

namespace kdp::macho {

std::string format_symbol_offset(const SymbolOffset& s) {
  std::string out(s.name);
  if (s.offset != 0) out += "+" + hex(s.offset);
  return out;
}

std::optional<std::string> format_address_symbol(const Symbolizer* symbolizer, uint64_t address) {
  if (symbolizer == nullptr) return std::nullopt;
  auto s = symbolizer->symbolize(address);
  if (!s) return std::nullopt;
  return format_symbol_offset(*s);
}

SymbolIndex::SymbolIndex(SymbolTable table, std::span<const Segment> segments,
                         std::span<const Section> sections)
    : table_(std::move(table)) {
  for (const Segment& s : segments)
    if (s.vmsize != 0) image_ranges_.emplace_back(s.vmaddr, s.end());
  build_name_map();
  build_address_index(segments, sections);
  find_kernel_range();
}

namespace {

size_t slot_count_for(size_t n) {
  size_t size = 16;
  while (size < 2 * n) size *= 2;
  return size;
}

}  // namespace

void SymbolIndex::build_name_map() {
  name_slots_.assign(slot_count_for(table_.symbols.size()), kEmptySlot);
  const size_t mask = name_slots_.size() - 1;
  for (uint32_t i = 0; i < table_.symbols.size(); ++i) {
    const Symbol& s = table_.symbols[i];
    if (s.name.empty()) continue;
    size_t slot = std::hash<std::string_view>{}(s.name) & mask;
    while (name_slots_[slot] != kEmptySlot && table_.symbols[name_slots_[slot]].name != s.name)
      slot = (slot + 1) & mask;
    uint32_t& held = name_slots_[slot];
    // Static functions of different files may share a name; the external one is the one meant.
    if (held == kEmptySlot || (!table_.symbols[held].is_external() && s.is_external())) held = i;
  }
}

bool SymbolIndex::slides(const Symbol& s) const {
  if (s.kind() == kNSect) return true;
  if (s.kind() != kNAbs) return false;
  // An absolute symbol inside the image (__mh_execute_header) names a place and moves with the
  // image; one outside it (__framesize = 0) is a constant.
  return std::any_of(image_ranges_.begin(), image_ranges_.end(), [&](const auto& r) {
    return s.address >= r.first && s.address < r.second;
  });
}

// How far past a symbol an address still belongs to it: the end of its section (N_SECT) or of
// the segment holding it (absolute symbols such as __mh_execute_header).
uint64_t SymbolIndex::limit_of(const Symbol& s, std::span<const Segment> segments,
                               std::span<const Section> sections) const {
  uint64_t limit = s.address + 1;
  // A symbol outside the section it names (a malformed table) covers only its own address.
  if (s.kind() == kNSect && s.section >= 1 && s.section <= sections.size()) {
    const Section& section = sections[s.section - 1];
    return section.contains(s.address) ? section.end() : limit;
  }
  for (const Segment& seg : segments)
    if (seg.contains(s.address)) limit = std::max(limit, seg.end());
  return limit;
}

void SymbolIndex::build_address_index(std::span<const Segment> segments,
                                      std::span<const Section> sections) {
  std::vector<uint32_t> order;
  order.reserve(table_.symbols.size());
  for (uint32_t i = 0; i < table_.symbols.size(); ++i)
    if (!table_.symbols[i].name.empty() && slides(table_.symbols[i])) order.push_back(i);
  // Among aliases (several names, one address) gdb shows the external one.
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Symbol& x = table_.symbols[a];
    const Symbol& y = table_.symbols[b];
    if (x.address != y.address) return x.address < y.address;
    if (x.is_external() != y.is_external()) return x.is_external();
    return a < b;
  });
  addresses_.reserve(order.size());
  entry_symbol_.reserve(order.size());
  entry_limit_.reserve(order.size());
  for (uint32_t i : order) {
    const Symbol& s = table_.symbols[i];
    if (!addresses_.empty() && addresses_.back() == s.address) continue;
    uint64_t limit = limit_of(s, segments, sections);
    if (limits_.empty() || limits_.back() != limit) {
      auto it = std::find(limits_.begin(), limits_.end(), limit);
      if (it == limits_.end()) it = limits_.insert(limits_.end(), limit);
      entry_limit_.push_back(static_cast<uint32_t>(it - limits_.begin()));
    } else {
      entry_limit_.push_back(static_cast<uint32_t>(limits_.size() - 1));
    }
    addresses_.push_back(s.address);
    entry_symbol_.push_back(i);
  }
  build_buckets();
}

void SymbolIndex::build_buckets() {
  if (addresses_.empty()) return;
  const uint64_t span = addresses_.back() - addresses_.front();
  // About one bucket per entry; the span of a kernel (~8 MB) gives 512-byte buckets.
  bucket_shift_ = 4;
  while (bucket_shift_ < 63 && (span >> bucket_shift_) >= addresses_.size()) ++bucket_shift_;
  const size_t buckets = static_cast<size_t>(span >> bucket_shift_) + 2;
  bucket_first_.resize(buckets);
  size_t entry = 0;
  for (size_t b = 0; b < buckets; ++b) {
    // The last bucket starts past every entry; computing its start could wrap around 2^64.
    if (b > (span >> bucket_shift_)) {
      bucket_first_[b] = static_cast<uint32_t>(addresses_.size());
      continue;
    }
    const uint64_t start = addresses_.front() + (uint64_t{b} << bucket_shift_);
    while (entry < addresses_.size() && addresses_[entry] < start) ++entry;
    bucket_first_[b] = static_cast<uint32_t>(entry);
  }
}

void SymbolIndex::find_kernel_range() {
  const Symbol* start = find("__mh_execute_header");
  const Symbol* end = find("_last_kernel_symbol");
  if (start != nullptr && end != nullptr && start->address < end->address) {
    kernel_start_ = start->address;
    kernel_end_ = end->address;
    return;
  }
  for (const auto& [lo, hi] : image_ranges_) {
    if (kernel_start_ == kernel_end_) {
      kernel_start_ = lo;
      kernel_end_ = hi;
    }
    kernel_start_ = std::min(kernel_start_, lo);
    kernel_end_ = std::max(kernel_end_, hi);
  }
}

const Symbol* SymbolIndex::find(std::string_view name) const {
  if (name_slots_.empty() || name.empty()) return nullptr;
  const size_t mask = name_slots_.size() - 1;
  for (size_t slot = std::hash<std::string_view>{}(name) & mask; name_slots_[slot] != kEmptySlot;
       slot = (slot + 1) & mask) {
    const Symbol& s = table_.symbols[name_slots_[slot]];
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<uint64_t> SymbolIndex::lookup(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  std::string c_name;
  c_name.reserve(name.size() + 1);
  c_name.push_back('_');
  c_name.append(name);
  const Symbol* s = find(c_name);
  if (s == nullptr) s = find(name);
  if (s == nullptr) return std::nullopt;
  return address_of(*s);
}

uint64_t SymbolIndex::address_of(const Symbol& s) const {
  return slides(s) ? s.address + slide_ : s.address;
}

std::optional<SymbolOffset> SymbolIndex::symbolize(uint64_t address) const {
  uint64_t unslid = address - slide_;
  if (addresses_.empty() || unslid < addresses_.front()) return std::nullopt;
  // Entries before bucket b are below x; entries from bucket b+1 on are above it.
  const uint64_t b = (unslid - addresses_.front()) >> bucket_shift_;
  auto first = addresses_.begin() + (b < bucket_first_.size() ? bucket_first_[b] : addresses_.size());
  auto last = b + 1 < bucket_first_.size() ? addresses_.begin() + bucket_first_[b + 1] : addresses_.end();
  auto it = std::upper_bound(first, last, unslid);
  size_t entry = static_cast<size_t>(it - addresses_.begin()) - 1;
  if (unslid >= limits_[entry_limit_[entry]]) return std::nullopt;
  return SymbolOffset{display_name(table_.symbols[entry_symbol_[entry]].name),
                      unslid - addresses_[entry]};
}

std::optional<std::string> SymbolIndex::format(uint64_t address) const {
  return format_address_symbol(this, address);
}

bool SymbolIndex::is_kernel_address(uint64_t address) const {
  uint64_t unslid = address - slide_;
  return unslid >= kernel_start_ && unslid < kernel_end_;
}

}  // namespace kdp::macho
