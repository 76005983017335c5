// A StubEngine driven by hand with a virtual clock, for the engine's unit tests.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kdp/stub/stub_engine.h"
#include "kdp/wire/codec.h"

namespace kdp::stub::testing {

using namespace std::chrono_literals;
using wire::Command;
using wire::Packet;

inline constexpr uint32_t kLoopback = 0x7f000001;
inline constexpr uint64_t kText = 0xffffff8000200000ULL;  // two pages of text
inline constexpr uint64_t kHole = kText + 0x2000;         // unmapped
inline constexpr uint64_t kData = 0xffffff8000800000ULL;  // one page
inline constexpr uint64_t kLow = 0x1000;                  // one page reachable by 32-bit requests

// A small address space: text filled with a byte pattern (never 0xCC), data, a low page, and a
// physical page at 0x200000 (virtual kPhysMapBase + 0x200000 == kText).
inline Memory test_memory() {
  Memory m;
  Bytes text(0x2000);
  for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<uint8_t>(0x10 + i % 0x80);
  REQUIRE(m.map(kText, text.size(), text));
  Bytes data(0x1000, 0);
  for (size_t i = 0; i < 16; ++i) data[i] = static_cast<uint8_t>(0xd0 + i);
  REQUIRE(m.map(kData, data.size(), data));
  REQUIRE(m.map(kLow, 0x1000, Bytes{0x11, 0x22, 0x33, 0x44}));
  return m;
}

inline wire::X86ThreadState64 test_registers() {
  wire::X86ThreadState64 r;
  for (size_t i = 0; i < r.regs.size(); ++i) r.regs[i] = 0x1000 + i;
  r.rip() = kText + 0x100;
  r.rflags() = 0x246;
  r.regs[18] = 0x8;  // cs
  return r;
}

inline Bytes encode_ok(const Packet& p) {
  auto bytes = wire::encode(p);
  REQUIRE_MESSAGE(bytes, (bytes ? "" : bytes.error().message()));
  return *bytes;
}

inline Packet decode_ok(const Bytes& b) {
  auto p = wire::decode(b);
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  return *p;
}

inline Packet request(Command c, uint8_t seq, wire::Body body = wire::Empty{}, uint32_t key = 0) {
  return wire::make_request(c, seq, key, std::move(body));
}

inline Bytes bytes_of(std::initializer_list<int> values) {
  Bytes b;
  for (int v : values) b.push_back(static_cast<uint8_t>(v));
  return b;
}

// A script stepping every millisecond.
inline ExecutionScript walk(std::vector<uint64_t> path, bool loop = true,
                            std::optional<Duration> stop_after_resume = std::nullopt) {
  ExecutionScript script;
  script.path = std::move(path);
  script.loop = loop;
  script.step = 1ms;
  script.stop_after_resume = stop_after_resume;
  return script;
}

struct Harness {
  explicit Harness(TargetConfig config = {}, ExecutionScript script = {})
      : engine(std::move(config), test_memory(), test_registers(), std::move(script)) {}

  // Delivers one datagram at the current time and returns what the engine sent in response.
  std::vector<Datagram> send_bytes(const Bytes& bytes, Endpoint from) {
    engine.on_datagram(Datagram{from, bytes}, now);
    return engine.take_outgoing();
  }
  std::vector<Datagram> send(const Packet& p, Endpoint from) { return send_bytes(encode_ok(p), from); }
  std::vector<Datagram> send(const Packet& p) { return send(p, debugger); }

  // Exactly one reply, decoded, sent to `to`.
  Packet exchange(const Packet& p, Endpoint to) {
    auto out = send(p);
    REQUIRE(out.size() == 1);
    CHECK(out[0].peer == to);
    return decode_ok(out[0].bytes);
  }
  Packet exchange(const Packet& p) { return exchange(p, debugger); }

  // The LLDB handshake: CONNECT seq 0 with both ports = the debugger's port.
  void connect(Endpoint from, uint32_t key = 0, uint16_t exc_port = 0) {
    auto out = send(request(Command::kConnect, 0,
                            wire::ConnectRequest{from.port, exc_port ? exc_port : from.port, "Greetings from LLDB..."}, key),
                    from);
    REQUIRE(out.size() == 1);
    REQUIRE(engine.connected());
  }
  void connect() { connect(debugger); }

  // Advances virtual time to now + d, firing every deadline on the way, and collects the output.
  std::vector<Datagram> advance(Duration d) {
    Time until = now + d;
    std::vector<Datagram> out;
    while (auto deadline = engine.next_deadline()) {
      if (*deadline > until) break;
      now = std::max(now, *deadline);
      engine.on_timer(now);
      for (auto& dgram : engine.take_outgoing()) out.push_back(std::move(dgram));
    }
    now = until;
    return out;
  }

  bool log_contains(const std::string& needle) {
    for (const auto& line : engine.take_log()) {
      logged.push_back(line);
    }
    for (const auto& line : logged)
      if (line.find(needle) != std::string::npos) return true;
    return false;
  }

  Time now{0};
  Endpoint debugger{kLoopback, 50000};
  StubEngine engine;
  std::vector<std::string> logged;
};

}  // namespace kdp::stub::testing
