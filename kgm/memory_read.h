// Helpers every reader of kgm::Memory shares: the errors a read reports, and fixed-size integers
// decoded through ByteReader (kernel memory is untrusted; nothing is overlaid on raw bytes).
#pragma once

#include <cstdint>

#include "kdp/base/error.h"
#include "kgm/memory.h"

namespace kdp::kgm {

// The largest single read a back-end serves: larger ones are a caller's mistake (x/100000000gx),
// refused before anything is allocated.
inline constexpr uint64_t kMaxReadBytes = uint64_t{256} << 20;

// gdb's "Cannot access memory at address 0x..." (kNotFound, fault_address() = address): the
// memory is not mapped, as opposed to a back-end that failed (kTimeout, kProtocol, ...).
Error cannot_access(uint64_t address);

// True for cannot_access-style errors: unmapped or garbage addresses, which end a walk normally.
// False for back-end failures, which are errors of the whole command.
bool is_unmapped(const Error& error);

// The error `memory` itself gives for the unreadable byte at `address` (its own wording, such as
// the kernel file's "no target is attached"), for callers that read with read_partial and found
// the memory ending there. A cache answers it from the fault it remembers, without a request.
Error unreadable(Memory& memory, uint64_t address);

// How many of `size` bytes at `address` lie below 2^64 (a range may not wrap).
uint64_t clamp_to_address_space(uint64_t address, uint64_t size);

// A usage error when `size` exceeds kMaxReadBytes; `source` names the memory in the message.
Status check_read_size(uint64_t size, std::string_view source);

// Exactly `size` bytes from `partial` (what read_partial returned for `address`), else
// cannot_access at the first byte it lacks.
Expected<Bytes> require_all(Bytes partial, uint64_t address, uint64_t size);

// Little-endian integers at `address`; errors are the memory's own (with the fault address).
Expected<uint64_t> read_u64(Memory& memory, uint64_t address);
Expected<uint32_t> read_u32(Memory& memory, uint64_t address);

}  // namespace kdp::kgm
