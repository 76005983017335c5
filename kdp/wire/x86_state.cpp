#include "kdp/wire/x86_state.h"

namespace kdp::wire {

std::optional<size_t> X86ThreadState64::index_of(std::string_view name) {
  for (size_t i = 0; i < kCount; ++i)
    if (kNames[i] == name) return i;
  return std::nullopt;
}

Bytes X86ThreadState64::encode() const {
  ByteWriter w;
  for (uint64_t r : regs) w.u64(r);
  return std::move(w).take();
}

Expected<X86ThreadState64> X86ThreadState64::decode(ByteView bytes) {
  if (bytes.size() != kBytes)
    return malformed("x86_THREAD_STATE64: expected " + std::to_string(kBytes) +
                     " bytes, found " + std::to_string(bytes.size()));
  ByteReader r(bytes, "x86_THREAD_STATE64");
  X86ThreadState64 s;
  for (size_t i = 0; i < kCount; ++i) {
    KDP_TRY(s.regs[i], r.u64(kNames[i]));
  }
  return s;
}

}  // namespace kdp::wire
