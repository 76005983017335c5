#include "kgm/context.h"

#include "kgm/object.h"

namespace kdp::kgm {

std::optional<std::string> SymbolSource::format(uint64_t address) const {
  auto s = symbolize(address);
  if (!s) return std::nullopt;
  return s->offset == 0 ? s->name : s->name + "+" + hex(s->offset);
}

std::optional<uint64_t> SymbolIndexSource::address_of(std::string_view name) const {
  return index_.lookup(name);
}

std::optional<SymbolRef> SymbolIndexSource::symbolize(uint64_t address) const {
  auto s = index_.symbolize(address);
  if (!s) return std::nullopt;
  return SymbolRef{std::string(s->name), s->offset};
}

bool SymbolIndexSource::is_kernel_address(uint64_t address) const {
  return index_.is_kernel_address(address);
}

MapSymbolSource::MapSymbolSource(std::map<std::string, uint64_t, std::less<>> symbols) {
  for (auto& [name, address] : symbols) add(name, address);
}

void MapSymbolSource::add(std::string name, uint64_t address) {
  by_address_.insert_or_assign(address, name);
  by_name_.insert_or_assign(std::move(name), address);
}

std::optional<uint64_t> MapSymbolSource::address_of(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<SymbolRef> MapSymbolSource::symbolize(uint64_t address) const {
  if (!is_kernel_address(address)) return std::nullopt;  // kexts and heap have no kernel symbol
  auto it = by_address_.upper_bound(address);
  if (it == by_address_.begin()) return std::nullopt;
  --it;
  return SymbolRef{it->second, address - it->first};
}

bool MapSymbolSource::is_kernel_address(uint64_t address) const {
  auto start = address_of("_mh_execute_header");
  auto end = address_of("last_kernel_symbol");
  if (!start || !end) return true;
  return address >= *start && address < *end;
}

Expected<uint64_t> KernelContext::global(std::string_view name) const {
  auto address = symbols.address_of(name);
  if (!address)
    return Error(ErrorKind::kNotFound, "no symbol '" + std::string(name) + "' in " + symbols.description());
  return *address;
}

Expected<std::string> read_kernel_version(Memory& memory, const SymbolSource& symbols) {
  auto address = symbols.address_of("version");
  if (!address) return Error(ErrorKind::kNotFound, "no symbol 'version' to read the kernel version from");
  auto text = read_c_string(memory, *address, 256);
  if (!text) return std::move(text).error().context("reading the kernel version at " + hex(*address));
  return std::move(text->text);
}

}  // namespace kdp::kgm
