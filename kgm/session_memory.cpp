#include "kgm/session_memory.h"

#include <algorithm>

#include "kgm/memory_read.h"

namespace kdp::kgm {

uint64_t SessionMemory::max_request() const {
  const uint32_t max_bytes = session_.target().max_bytes;
  return max_bytes == 0 ? wire::kMaxDataSize : std::min<uint64_t>(max_bytes, wire::kMaxDataSize);
}

std::string SessionMemory::source() const {
  const client::TargetInfo& t = session_.target();
  const size_t colon = t.address.rfind(':');
  return colon == std::string::npos ? t.host : t.host + t.address.substr(colon);
}

Expected<Bytes> SessionMemory::read_partial(uint64_t address, uint64_t size) {
  KDP_TRY_STATUS(check_read_size(size, source()));
  const uint64_t before = session_.stats().requests;
  auto got = session_.read_memory_partial(address, clamp_to_address_space(address, size));
  stats_.requests += session_.stats().requests - before;
  if (!got) {
    Error error = std::move(got).error();
    if (error.fault_address()) return error;
    return std::move(error).with_fault_address(address);
  }
  stats_.bytes += got->size();
  return got;
}

Expected<Bytes> SessionMemory::read(uint64_t address, uint64_t size) {
  KDP_TRY(Bytes partial, read_partial(address, size));
  return require_all(std::move(partial), address, size);
}

}  // namespace kdp::kgm
