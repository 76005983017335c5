#include "kdp/stub/memory.h"

#include <algorithm>
#include <cstring>

namespace kdp::stub {

Bytes* Memory::page_for_write(uint64_t base) {
  auto it = pages_.find(base);
  if (it == pages_.end()) return nullptr;
  if (it->second.empty()) it->second.assign(kPageSize, 0);
  return &it->second;
}

Status Memory::map(uint64_t address, uint64_t size, ByteView content) {
  if (content.size() > size)
    return usage_error("map " + hex(address) + ": content (" + std::to_string(content.size()) +
                       " bytes) is larger than the region (" + std::to_string(size) + " bytes)");
  if (size == 0) return {};
  if (address + (size - 1) < address)
    return usage_error("map " + hex(address) + " +" + hex(size) + ": range wraps past 2^64");
  uint64_t last = page_base(address + (size - 1));
  for (uint64_t base = page_base(address);; base += kPageSize) {
    pages_.try_emplace(base);
    if (base == last) break;
  }
  write(address, content);
  return {};
}

Status Memory::map_known(uint64_t address, ByteView content) {
  if (content.empty()) return {};
  const uint64_t first = page_base(address);
  if (address + (content.size() - 1) < address)
    return usage_error("map " + hex(address) + " +" + hex(content.size()) + ": range wraps past 2^64");
  const uint64_t last = page_base(address + (content.size() - 1));
  for (uint64_t base = first;; base += kPageSize) {
    // A page mapped whole before stays known whole; a new one knows only what is given to it.
    if (!is_mapped(base)) known_[base].assign(kPageSize, 0);
    if (base == last) break;
  }
  KDP_TRY_STATUS(map(address, content.size()));
  for (size_t i = 0; i < content.size(); ++i) {
    auto it = known_.find(page_base(address + i));
    if (it != known_.end()) it->second[static_cast<size_t>(address + i - it->first)] = 1;
  }
  write(address, content);
  return {};
}

size_t Memory::known_run(uint64_t at, size_t n) const {
  auto it = known_.find(page_base(at));
  if (it == known_.end()) return n;
  size_t offset = static_cast<size_t>(at - it->first);
  size_t run = 0;
  while (run < n && it->second[offset + run] != 0) ++run;
  return run;
}

size_t Memory::read(uint64_t address, std::span<uint8_t> out) const {
  size_t done = 0;
  while (done < out.size()) {
    uint64_t at = address + done;
    if (at < address) break;  // wrapped past 2^64: nothing is mapped there
    auto it = pages_.find(page_base(at));
    if (it == pages_.end()) break;
    size_t offset = static_cast<size_t>(at - it->first);
    size_t n = known_run(at, std::min<size_t>(kPageSize - offset, out.size() - done));
    if (n == 0) break;
    if (it->second.empty())
      std::memset(out.data() + done, 0, n);
    else
      std::memcpy(out.data() + done, it->second.data() + offset, n);
    done += n;
  }
  return done;
}

Bytes Memory::read(uint64_t address, size_t count) const {
  Bytes out(count);
  out.resize(read(address, std::span<uint8_t>(out)));
  return out;
}

size_t Memory::write(uint64_t address, ByteView data) {
  size_t done = 0;
  while (done < data.size()) {
    uint64_t at = address + done;
    if (at < address) break;
    Bytes* page = page_for_write(page_base(at));
    if (page == nullptr) break;
    size_t offset = static_cast<size_t>(at - page_base(at));
    size_t n = known_run(at, std::min<size_t>(kPageSize - offset, data.size() - done));
    if (n == 0) break;
    std::memcpy(page->data() + offset, data.data() + done, n);
    done += n;
  }
  return done;
}

std::optional<uint8_t> Memory::byte_at(uint64_t address) const {
  uint8_t b = 0;
  if (read(address, std::span<uint8_t>(&b, 1)) != 1) return std::nullopt;
  return b;
}

}  // namespace kdp::stub
