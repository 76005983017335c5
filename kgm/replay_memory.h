// kgm::Memory over a capture replay (kdp/pcap/replay.h): the bytes the kernel sent during a
// recorded session, nothing else. A read the capture does not cover fails (kNotFound, fault
// address = the first missing byte) naming the missing range; a byte the kernel could not read
// when asked fails exactly as the live session did ("Cannot access memory at address 0x...").
#pragma once

#include <memory>
#include <string>

#include "kdp/pcap/replay.h"
#include "kgm/memory.h"

namespace kdp::kgm {

class ReplayMemory final : public Memory {
 public:
  explicit ReplayMemory(std::shared_ptr<const pcap::ReplayState> state) : state_(std::move(state)) {}

  Expected<Bytes> read(uint64_t address, uint64_t size) override;
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override;
  uint64_t max_request() const override;
  MemoryStats stats() const override { return stats_; }
  std::string source() const override { return "capture " + state_->source; }

 private:
  Error not_captured(const pcap::CapturedMemory::Read& read) const;

  std::shared_ptr<const pcap::ReplayState> state_;
  MemoryStats stats_;
};

}  // namespace kdp::kgm
