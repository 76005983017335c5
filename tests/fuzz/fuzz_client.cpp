// libFuzzer target: the client engine fed arbitrary datagrams (from the target or elsewhere) and
// time steps, with requests started whenever it is idle, must never crash, must complete only with
// a reply of the command it sent, and must acknowledge every notification; parse_kernel_version
// must accept any text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kdp/client/client_engine.h"
#include "kdp/client/kernel_version.h"
#include "kdp/wire/codec.h"

namespace {

using namespace kdp;
using wire::Command;

constexpr Endpoint kTarget{0x7f000001, 41139};

client::RequestSpec next_request(uint8_t selector) {
  switch (selector % 4) {
    case 0: return client::RequestSpec(Command::kReadMem64, wire::MemReadRequest{0x1000, 16});
    case 1: return client::RequestSpec(Command::kBreakpointSet64, wire::BreakpointRequest{0x2000});
    case 2: {
      client::RequestSpec resume(Command::kResumeCpus, wire::ResumeRequest{1});
      resume.completed_by_stop = true;
      return resume;
    }
    default: return client::RequestSpec(Command::kVersion);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)client::parse_kernel_version(std::string_view(reinterpret_cast<const char*>(data), size));
  client::EngineConfig config{kTarget, client::RetryPolicy{}, 0x1000, {}};
  client::ClientEngine engine(config);
  engine.expect_stop(true);
  Time now{0};
  Command outstanding = Command::kVersion;
  // Input: a sequence of [length][time step][flags][datagram bytes]; flags bit 0: foreign source.
  size_t at = 0;
  while (at + 3 <= size) {
    size_t length = std::min<size_t>(data[at], size - at - 3);
    now += std::chrono::microseconds(data[at + 1] * 100);
    uint8_t flags = data[at + 2];
    at += 3;
    if (!engine.busy()) {
      client::RequestSpec spec = next_request(flags >> 1);
      outstanding = spec.command;
      engine.start(std::move(spec), now);
    }
    Endpoint from = (flags & 1) ? Endpoint{0x7f000001, 41140} : kTarget;
    uint64_t acks = engine.stats().acks;
    Bytes bytes(data + at, data + at + length);
    engine.on_datagram(Datagram{from, bytes}, now);
    auto header = wire::decode_header(bytes);
    bool notification = header && !header->is_reply && from == kTarget &&
                        (header->command == Command::kException || header->command == Command::kTermination);
    if (notification && engine.stats().acks != acks + 1) __builtin_trap();
    engine.on_timer(now);
    if (auto done = engine.take_completion(); done && done->reply && done->reply->header.command != outstanding)
      __builtin_trap();
    (void)engine.take_outgoing();
    (void)engine.take_stop();
    at += length;
  }
  return 0;
}
