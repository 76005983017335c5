// §2.3: the expected sequence E, the cached reply, silent drops.
#include <random>

#include "tests/stub/harness.h"

using namespace kdp;
using namespace kdp::stub;
using namespace kdp::stub::testing;

TEST_CASE("the kernel starts stopped and waiting: only CONNECT/REATTACH with seq 0 are served") {
  Harness h;
  CHECK_FALSE(h.engine.connected());
  CHECK_FALSE(h.engine.running());
  CHECK(h.send(request(Command::kHostInfo, 0)).empty());
  CHECK(h.send(request(Command::kConnect, 1, wire::ConnectRequest{50000, 50000, ""})).empty());
  // A CONNECT with the reply bit set is not a request.
  CHECK(h.send_bytes(bytes_of({0x80, 0, 0x0d, 0, 0, 0, 0, 0, 0xc3, 0x50, 0xc3, 0x50, 0}), h.debugger).empty());
  CHECK(h.engine.stats().dropped_not_connected == 3);
  CHECK_FALSE(h.engine.connected());
  CHECK(h.log_contains("kdp: not connected"));
}

TEST_CASE("CONNECT replies in place to the payload's reply port at the sender's IP, and E becomes 1") {
  Harness h;
  Endpoint from{0x0a000002, 40000};
  // LLDB's CONNECT: ports are big-endian on the wire; the reply port differs from the source port.
  Bytes connect = encode_ok(request(Command::kConnect, 0, wire::ConnectRequest{41000, 41001, "hi"}, 0x1234));
  auto out = h.send_bytes(connect, from);
  REQUIRE(out.size() == 1);
  CHECK(out[0].peer == Endpoint{0x0a000002, 41000});
  CHECK(out[0].bytes == bytes_of({0x80, 0x00, 0x0c, 0x00, 0x34, 0x12, 0x00, 0x00, 0, 0, 0, 0}));
  CHECK(h.engine.connected());
  CHECK(h.engine.expected_seq() == 1);
}

TEST_CASE("replies echo code, seq and key; other requests go to the stored reply port") {
  Harness h;
  h.connect(h.debugger, 0xabcdef01);
  Endpoint elsewhere{0x7f000002, 1234};
  auto out = h.send(request(Command::kHostInfo, 1, wire::Empty{}, 0x55aa55aa), elsewhere);
  REQUIRE(out.size() == 1);
  // The IP is the request's, the port the one stored at CONNECT (no source check, §2.3 rule 6).
  CHECK(out[0].peer == Endpoint{0x7f000002, h.debugger.port});
  CHECK(out[0].bytes == bytes_of({0x82, 0x01, 0x14, 0x00, 0xaa, 0x55, 0xaa, 0x55, 0x03, 0, 0, 0,
                                  0x07, 0, 0, 0x01, 0x04, 0, 0, 0}));
}

TEST_CASE("a request with seq E-1 gets the cached reply byte for byte, sent where the original went") {
  Harness h;
  h.connect();
  auto first = h.send(request(Command::kReadMem64, 1, wire::MemReadRequest{kText, 64}));
  REQUIRE(first.size() == 1);
  h.engine.take_log();
  // Same seq again, even with another body and from another port: the kernel only looks at seq.
  auto again = h.send(request(Command::kHostInfo, 1), Endpoint{kLoopback, 60000});
  REQUIRE(again.size() == 1);
  CHECK(again[0].bytes == first[0].bytes);
  CHECK(again[0].peer == first[0].peer);
  CHECK(h.engine.expected_seq() == 2);
  CHECK(h.engine.stats().replayed_replies == 1);
  CHECK(h.engine.stats().replies == 2);  // CONNECT and READMEM64; the replay is not a new reply
}

TEST_CASE("other out-of-sequence requests are dropped silently with xnu's console note") {
  Harness h;
  h.connect();
  REQUIRE(h.exchange(request(Command::kVersion, 1)).header.seq == 1);
  REQUIRE(h.exchange(request(Command::kVersion, 2)).header.seq == 2);
  CHECK(h.send(request(Command::kHostInfo, 5)).empty());
  CHECK(h.send(request(Command::kHostInfo, 0)).empty());  // E-3
  CHECK(h.log_contains("kdp: bad sequence 5 (want 3)"));
  CHECK(h.engine.stats().out_of_sequence == 2);
  CHECK(h.engine.expected_seq() == 3);
  CHECK(h.exchange(request(Command::kHostInfo, 3)).header.seq == 3);
}

TEST_CASE("when E wraps to 0 a retransmitted seq-255 request is dropped, not replayed") {
  Harness h;
  h.connect();
  for (int seq = 1; seq <= 255; ++seq) REQUIRE(h.send(request(Command::kMaxBytes, static_cast<uint8_t>(seq))).size() == 1);
  CHECK(h.engine.expected_seq() == 0);
  CHECK(h.send(request(Command::kMaxBytes, 255)).empty());
  CHECK(h.engine.stats().replayed_replies == 0);
  CHECK(h.log_contains("kdp: bad sequence 255 (want 0)"));
  CHECK(h.exchange(request(Command::kMaxBytes, 0)).header.seq == 0);
}

TEST_CASE("LOAD, IMAGEPATH, EXCEPTION/TERMINATION as requests and unknown codes: no reply, E unchanged") {
  Harness h;
  h.connect();
  CHECK(h.send(request(Command::kLoad, 1, wire::LoadRequest{"x"})).empty());
  CHECK(h.send(request(Command::kImagePath, 1)).empty());
  CHECK(h.send(request(Command::kException, 1, wire::ExceptionNotification{{{0, 6, 3, 0}}})).empty());
  CHECK(h.send(request(Command::kTermination, 1, wire::TerminationNotification{1, 0})).empty());
  CHECK(h.send_bytes(bytes_of({0x25, 1, 8, 0, 0, 0, 0, 0}), h.debugger).empty());
  CHECK(h.send_bytes(bytes_of({0x7f, 1, 8, 0, 0, 0, 0, 0}), h.debugger).empty());
  CHECK(h.engine.stats().unknown == 6);
  CHECK(h.engine.expected_seq() == 1);
  CHECK(h.log_contains("kdp_unknown request 0x25"));
  CHECK(h.exchange(request(Command::kVersion, 1)).header.command == Command::kVersion);
}

TEST_CASE("an unknown code with seq E-1 still triggers the replay (xnu checks seq first)") {
  Harness h;
  h.connect();
  auto first = h.send(request(Command::kVersion, 1));
  auto again = h.send_bytes(bytes_of({0x25, 1, 8, 0, 0, 0, 0, 0}), h.debugger);
  REQUIRE(again.size() == 1);
  CHECK(again[0].bytes == first[0].bytes);
}

TEST_CASE("malformed datagrams are counted and logged, never answered, E unchanged") {
  Harness h;
  CHECK(h.send_bytes(bytes_of({1, 2, 3}), h.debugger).empty());  // while waiting
  h.connect();
  CHECK(h.send_bytes(Bytes{}, h.debugger).empty());
  CHECK(h.send_bytes(bytes_of({0x02, 1, 12, 0, 0, 0, 0, 0}), h.debugger).empty());  // len 12, 8 bytes
  CHECK(h.send_bytes(bytes_of({0x14, 1, 12, 0, 0, 0, 0, 0, 1, 2, 3, 4}), h.debugger).empty());  // body too short
  CHECK(h.send_bytes(Bytes(2000, 0x02), h.debugger).empty());  // larger than any frame
  CHECK(h.engine.stats().malformed == 5);
  CHECK(h.engine.expected_seq() == 1);
  CHECK(h.log_contains("kdp_packet bad len pkt 8 hdr 12"));
  CHECK(h.log_contains("dropped malformed datagram from 127.0.0.1:50000"));
  CHECK(h.exchange(request(Command::kVersion, 1)).header.seq == 1);
}

TEST_CASE("datagrams with the reply bit are ignored while connected") {
  Harness h;
  h.connect();
  CHECK(h.send_bytes(bytes_of({0x82, 1, 8, 0, 0, 0, 0, 0}), h.debugger).empty());
  CHECK(h.engine.stats().ignored_replies == 1);
  CHECK(h.engine.expected_seq() == 1);
}

TEST_CASE("every received datagram is counted in exactly one bucket") {
  ExecutionScript script = walk({kText, kText + 4, kText + 8}, true, 5ms);  // stops 5 ms after resumes
  Harness h({}, script);
  h.connect();
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    Bytes b(rng() % 40);
    for (auto& byte : b) byte = static_cast<uint8_t>(rng());
    if (b.size() >= 4 && (rng() & 1)) {  // often a plausible header: right len, small code
      b[0] = static_cast<uint8_t>(b[0] % 0x22);
      b[2] = static_cast<uint8_t>(b.size());
      b[3] = 0;
    }
    h.engine.on_datagram(Datagram{h.debugger, b}, h.now);
    h.engine.take_outgoing();
    h.advance(1ms);
  }
  const StubStats& s = h.engine.stats();
  CHECK(s.received == 3001);
  CHECK(s.received == s.requests + s.replayed_replies + s.dropped + s.malformed + s.unknown + s.acks);
  CHECK(s.dropped == s.out_of_sequence + s.ignored_replies + s.dropped_not_connected +
                         s.dropped_while_running + s.dropped_while_booting + s.dropped_awaiting_ack);
}

TEST_CASE("a request longer than its struct is served, as xnu only checks len >= sizeof") {
  Harness h;
  h.connect();
  auto out = h.send_bytes(bytes_of({0x02, 1, 12, 0, 0, 0, 0, 0, 0xee, 0xee, 0xee, 0xee}), h.debugger);
  REQUIRE(out.size() == 1);
  CHECK(decode_ok(out[0].bytes).body == wire::Body{wire::HostInfoReply{0x3, 0x01000007, 4}});
}
