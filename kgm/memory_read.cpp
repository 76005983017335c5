#include "kgm/memory_read.h"

namespace kdp::kgm {

Error cannot_access(uint64_t address) {
  return Error(ErrorKind::kNotFound, "Cannot access memory at address " + hex(address)).with_fault_address(address);
}

bool is_unmapped(const Error& error) {
  return error.kind() == ErrorKind::kNotFound && error.fault_address().has_value();
}

Error unreadable(Memory& memory, uint64_t address) {
  auto probe = memory.read(address, 1);
  if (!probe && is_unmapped(probe.error())) return std::move(probe).error();
  return cannot_access(address);
}

uint64_t clamp_to_address_space(uint64_t address, uint64_t size) {
  if (address == 0) return size;
  const uint64_t room = (UINT64_MAX - address) + 1;
  return size < room ? size : room;
}

Status check_read_size(uint64_t size, std::string_view source) {
  if (size <= kMaxReadBytes) return {};
  return usage_error("a read of " + std::to_string(size) + " bytes from " + std::string(source) +
                     " is larger than the " + std::to_string(kMaxReadBytes >> 20) + " MiB one read may ask for");
}

Expected<Bytes> require_all(Bytes partial, uint64_t address, uint64_t size) {
  if (partial.size() < size) return cannot_access(address + partial.size());
  return partial;
}

Expected<uint64_t> read_u64(Memory& memory, uint64_t address) {
  KDP_TRY(Bytes bytes, memory.read(address, 8));
  return ByteReader(bytes, "kernel memory at " + hex(address)).u64("value");
}

Expected<uint32_t> read_u32(Memory& memory, uint64_t address) {
  KDP_TRY(Bytes bytes, memory.read(address, 4));
  return ByteReader(bytes, "kernel memory at " + hex(address)).u32("value");
}

}  // namespace kdp::kgm
