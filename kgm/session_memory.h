// The live back-end: memory of the kernel behind a KDP session (client::Session), read with
// READMEM64 requests of at most the target's MAXBYTES. A short reply means the rest is unmapped
// (cannot_access at the first missing byte); a failed request (timeout, protocol error,
// interrupt) is an error of its own kind whose fault_address() is where the read began.
#pragma once

#include <string>

#include "kdp/client/session.h"
#include "kgm/memory.h"

namespace kdp::kgm {

class SessionMemory final : public Memory {
 public:
  // `session` must outlive this object.
  explicit SessionMemory(client::Session& session) : session_(session) {}

  Expected<Bytes> read(uint64_t address, uint64_t size) override;
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override;
  uint64_t max_request() const override;
  MemoryStats stats() const override { return stats_; }
  std::string source() const override;

  // Changes whenever the kernel may have run or its memory changed (client::Session::generation):
  // what a cache on top compares (CachedMemory).
  uint64_t generation() const { return session_.generation(); }

 private:
  client::Session& session_;
  MemoryStats stats_;
};

}  // namespace kdp::kgm
