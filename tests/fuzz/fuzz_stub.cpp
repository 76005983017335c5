// libFuzzer target: the stub engine fed arbitrary datagrams and time steps must never crash, and
// every datagram must land in exactly one statistics bucket.
#include <cstddef>
#include <cstdint>

#include "kdp/stub/stub_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdp;
  stub::Memory memory;
  (void)memory.map(0xffffff8000200000ULL, 0x2000, Bytes(0x100, 0x90));
  wire::X86ThreadState64 regs;
  regs.rip() = 0xffffff8000200000ULL;
  stub::ExecutionScript script{{0xffffff8000200000ULL, 0xffffff8000200001ULL}, true,
                               std::chrono::milliseconds(1), std::chrono::milliseconds(3)};
  stub::StubEngine engine({}, std::move(memory), regs, script);
  Time now{0};
  // Input: a sequence of [length byte][time step byte][datagram bytes].
  size_t at = 0;
  while (at + 2 <= size) {
    size_t length = data[at];
    now += std::chrono::milliseconds(data[at + 1]);
    at += 2;
    length = std::min(length, size - at);
    engine.on_timer(now);
    engine.on_datagram(Datagram{Endpoint{0x7f000001, 5000}, Bytes(data + at, data + at + length)}, now);
    engine.take_outgoing();
    engine.take_log();
    at += length;
  }
  const stub::StubStats& s = engine.stats();
  if (s.received != s.requests + s.replayed_replies + s.dropped + s.malformed + s.unknown + s.acks)
    __builtin_trap();
  return 0;
}
