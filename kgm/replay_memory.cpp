#include "kgm/replay_memory.h"

#include "kdp/wire/packet.h"

namespace kdp::kgm {

Error ReplayMemory::not_captured(const pcap::CapturedMemory::Read& read) const {
  const uint64_t missing = read.missing_end - read.stop_address;
  return Error(ErrorKind::kNotFound, "capture " + state_->source + " does not hold " + hex(read.stop_address) + "-" +
                                         hex(read.missing_end) + " (" + std::to_string(missing) +
                                         " bytes): the recorded session never read them")
      .with_fault_address(read.stop_address);
}

Expected<Bytes> ReplayMemory::read(uint64_t address, uint64_t size) {
  if (size > UINT64_MAX - address) return usage_error("read of " + std::to_string(size) + " bytes at " + hex(address) + " wraps past 2^64");
  ++stats_.requests;
  pcap::CapturedMemory::Read r = state_->memory.read(address, size);
  stats_.bytes += r.bytes.size();
  switch (r.stop) {
    case pcap::CapturedMemory::Stop::kComplete: return std::move(r.bytes);
    case pcap::CapturedMemory::Stop::kUnreadable:
      return Error(ErrorKind::kNotFound, "Cannot access memory at address " + hex(r.stop_address))
          .with_fault_address(r.stop_address);
    case pcap::CapturedMemory::Stop::kNotCaptured: return not_captured(r);
  }
  return not_captured(r);
}

Expected<Bytes> ReplayMemory::read_partial(uint64_t address, uint64_t size) {
  if (size > UINT64_MAX - address) return usage_error("read of " + std::to_string(size) + " bytes at " + hex(address) + " wraps past 2^64");
  ++stats_.requests;
  pcap::CapturedMemory::Read r = state_->memory.read(address, size);
  stats_.bytes += r.bytes.size();
  // Not captured is not "unreadable": returning the prefix would claim the kernel stopped there.
  if (r.stop == pcap::CapturedMemory::Stop::kNotCaptured) return not_captured(r);
  return std::move(r.bytes);
}

uint64_t ReplayMemory::max_request() const { return state_->max_bytes.value_or(wire::kMaxDataSize); }

}  // namespace kdp::kgm
