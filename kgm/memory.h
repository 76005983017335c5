// kgm's one view of kernel memory. Every command (kgmacros, x, bt, expressions) reads through a
// Memory; back-ends differ only in where the bytes come from:
//   - the live KDP session (kgm/session_memory.h), split at the target's MAXBYTES;
//   - a kernel core file (Mach-O MH_CORE, the format kdp-sim serves), offline;
//   - the kernel file itself (`--kernel K` with no target: reads inside its segments, unslid);
//   - later a capture replay (memory rebuilt from READMEM replies in a pcap).
// CachedMemory (kgm/cached_memory.h) sits on top of any of them: a cache valid while the kernel is
// stopped, and a read planner (prefetch) that coalesces the fields a command needs into the fewest
// reads of at most max_request() bytes.
//
// Kernel memory is untrusted: callers decode what they read with ByteReader (kgm/typed helpers),
// never by overlaying structs.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::kgm {

struct Range {
  uint64_t address = 0;
  uint64_t size = 0;
  uint64_t end() const { return address + size; }  // callers keep address + size <= 2^64
  friend bool operator==(const Range&, const Range&) = default;
};

struct MemoryStats {
  uint64_t requests = 0;    // reads sent to the back-end (KDP requests for the live session)
  uint64_t bytes = 0;       // bytes those reads returned
  uint64_t cache_hits = 0;  // reads answered entirely from the cache (CachedMemory only)
};

class Memory {
 public:
  virtual ~Memory() = default;

  // Exactly `size` bytes. When some byte cannot be read the Error's fault_address() is the first
  // unreadable address and its kind says why: kNotFound for unmapped memory (message
  // "Cannot access memory at address 0x..." as gdb says it), kTimeout / kProtocol / kInterrupted
  // when the back-end failed (the message names the request that failed).
  virtual Expected<Bytes> read(uint64_t address, uint64_t size) = 0;

  // Up to `size` bytes: fewer when memory stops being readable, the byte at address+result.size()
  // being the first unreadable one. An Error only when the back-end itself failed.
  virtual Expected<Bytes> read_partial(uint64_t address, uint64_t size) = 0;

  // Hint: these ranges will be read soon. A caching layer reads them now with the fewest requests
  // (coalesced, each at most max_request() bytes); unreadable ranges are not an error here (the
  // later read reports them). Back-ends without a cache ignore it.
  virtual Status prefetch(std::span<const Range> ranges) { return {}; }

  // Forget cached bytes (the kernel ran: continue, step, write). No-op without a cache.
  virtual void invalidate() {}

  // The largest read one request answers (KDP: MAXBYTES); the planner's unit.
  virtual uint64_t max_request() const = 0;

  virtual MemoryStats stats() const = 0;

  // Where the bytes come from, for messages: "macvm:41139", "core demo.core",
  // "kernel file mach_kernel (no target attached)".
  virtual std::string source() const = 0;
};

}  // namespace kdp::kgm
