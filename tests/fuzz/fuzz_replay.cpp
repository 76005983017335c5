// Fuzz target for the replay builder and kgm::ReplayMemory, fed KDP datagrams directly (no capture
// file around them, so the fuzzer spends its time on pairing and memory). Input: records of
// [direction byte][length byte][payload]; then the last 16 bytes of input, if any, pick a read
// (address, size). Properties:
//   * nothing crashes;
//   * a successful read returns exactly the bytes asked for; read_partial never returns more;
//   * a failed read's fault address lies inside the requested range.
#include <cstdio>
#include <cstdlib>

#include "kdp/pcap/replay.h"
#include "kgm/replay_memory.h"

using namespace kdp;

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_replay: %s\n", what);
  std::abort();
}

pcap::Capture parse(ByteView input) {
  kdp::pcap::Capture capture;
  capture.name = "fuzz";
  size_t at = 0;
  while (at + 2 <= input.size()) {
    const bool to_target = input[at] & 1;
    const size_t length = input[at + 1];
    at += 2;
    if (at + length > input.size()) break;
    kdp::pcap::KdpDatagram d;
    d.number = capture.datagrams.size() + 1;
    d.time_ns = static_cast<int64_t>(d.number) * 1000;
    d.direction = to_target ? kdp::pcap::Direction::kToTarget : kdp::pcap::Direction::kFromTarget;
    d.payload.assign(input.begin() + at, input.begin() + at + length);
    capture.datagrams.push_back(std::move(d));
    at += length;
  }
  return capture;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  const kdp::pcap::Capture capture = parse(input);
  auto state = std::make_shared<const kdp::pcap::ReplayState>(kdp::pcap::build_replay(capture, kdp::pcap::pair_exchanges(capture)));
  if (size < 16) return 0;
  ByteReader tail(input.subspan(size - 16), "read");
  const uint64_t address = *tail.u64("address");
  const uint64_t length = *tail.u64("size") % 4096;
  kgm::ReplayMemory memory(state);
  auto bytes = memory.read(address, length);
  if (bytes && bytes->size() != length) fail("read returned a different size");
  if (!bytes) {
    const auto& fault = bytes.error().fault_address();
    if (fault && (*fault < address || *fault - address >= length)) fail("fault address outside the read");
  }
  auto partial = memory.read_partial(address, length);
  if (partial && partial->size() > length) fail("read_partial returned too much");
  return 0;
}
