// ClientEngine against a scripted peer: every datagram and every instant is chosen by the test.
#include <doctest/doctest.h>

#include "kdp/client/client_engine.h"
#include "kdp/wire/codec.h"

using namespace kdp;
using namespace kdp::client;
using namespace std::chrono_literals;
using wire::Command;

namespace {

constexpr Endpoint kTarget{0x0a000002, 41139};
constexpr uint32_t kFirstKey = 0x5000;

RetryPolicy test_policy() {
  RetryPolicy p;
  p.initial_rto = 100ms;
  p.min_rto = 1ms;
  p.max_rto = 800ms;
  p.max_attempts = 4;
  p.deadline = 10s;
  return p;
}

struct Peer {
  ClientEngine engine{EngineConfig{kTarget, test_policy(), kFirstKey, {}}};
  Time now{0};

  std::vector<wire::Packet> sent() {
    std::vector<wire::Packet> out;
    for (const Datagram& d : engine.take_outgoing()) {
      CHECK(d.peer == kTarget);
      auto p = wire::decode(d.bytes);
      REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
      out.push_back(*p);
    }
    return out;
  }
  wire::Packet only_sent() {
    auto all = sent();
    REQUIRE(all.size() == 1);
    return all.front();
  }
  void deliver(const wire::Packet& packet, Endpoint from = kTarget) {
    auto bytes = wire::encode(packet);
    REQUIRE(bytes);
    engine.on_datagram(Datagram{from, *bytes}, now);
  }
  void reply_to(const wire::Packet& request, wire::Body body = wire::Empty{}) {
    deliver(wire::make_reply(request.header.command, request.header.seq, request.header.key, std::move(body)));
  }
  void advance_to_deadline() {
    auto deadline = engine.next_deadline();
    REQUIRE(deadline);
    now = *deadline;
    engine.on_timer(now);
  }
  // Runs `count` VERSION requests to completion (to move the sequence number along).
  void complete_versions(int count) {
    for (int i = 0; i < count; ++i) {
      engine.start(RequestSpec(Command::kVersion), now);
      reply_to(only_sent(), wire::VersionReply{12, 1, 0, 0});
      REQUIRE(engine.take_completion());
    }
  }
  // A RESUMECPUS that a stop notification may complete, with a stop expected.
  void start_resume() {
    engine.expect_stop(true);
    RequestSpec resume(Command::kResumeCpus, wire::ResumeRequest{1});
    resume.completed_by_stop = true;
    engine.start(std::move(resume), now);
  }
  wire::Packet notification(uint8_t seq) {
    return wire::make_request(Command::kException, seq, 0,
                              wire::ExceptionNotification{{wire::ExceptionInfo{0, 6, 3, 0}}});
  }
};

}  // namespace

TEST_CASE("a request goes out with the next seq and a fresh key, and its reply completes it") {
  Peer peer;
  peer.engine.start(RequestSpec(Command::kVersion), peer.now);
  wire::Packet request = peer.only_sent();
  CHECK(request.header.command == Command::kVersion);
  CHECK(request.header.seq == 0);
  CHECK(request.header.key == kFirstKey);
  peer.now += 3ms;
  peer.reply_to(request, wire::VersionReply{12, 1, 0, 0});
  auto done = peer.engine.take_completion();
  REQUIRE(done);
  REQUIRE(done->reply);
  CHECK(std::get<wire::VersionReply>(done->reply->body).version == 12);
  CHECK(done->attempts == 1);
  CHECK(peer.engine.next_seq() == 1);
  CHECK(peer.engine.seq_certain());
  REQUIRE(peer.engine.rto().srtt());
  CHECK(*peer.engine.rto().srtt() == 3ms);  // the first sample is the estimate

  peer.engine.start(RequestSpec(Command::kHostInfo), peer.now);
  wire::Packet second = peer.only_sent();
  CHECK(second.header.seq == 1);
  CHECK(second.header.key == kFirstKey + 1);
}

TEST_CASE("a retransmission resends identical bytes, then the request fails with a clear error") {
  Peer peer;
  peer.engine.start(RequestSpec(Command::kMaxBytes), peer.now);
  auto first = peer.engine.take_outgoing();
  REQUIRE(first.size() == 1);
  Duration previous_gap{0};
  Time previous = peer.now;
  for (int attempt = 2; attempt <= 4; ++attempt) {
    peer.advance_to_deadline();
    auto again = peer.engine.take_outgoing();
    REQUIRE(again.size() == 1);
    CHECK(again[0].bytes == first[0].bytes);
    Duration gap = peer.now - previous;
    CHECK(gap > previous_gap);  // exponential backoff
    previous_gap = gap;
    previous = peer.now;
  }
  CHECK(!peer.engine.take_completion());
  peer.advance_to_deadline();
  auto done = peer.engine.take_completion();
  REQUIRE(done);
  REQUIRE(!done->reply);
  CHECK(done->reply.error().kind() == ErrorKind::kTimeout);
  CHECK(done->reply.error().message() == "no reply to KDP_MAXBYTES after 4 attempts in 1.5 s");
  CHECK(peer.engine.stats().retransmissions == 3);
  CHECK(!peer.engine.seq_certain());
  CHECK(peer.engine.next_seq() == 0);  // the lower of the kernel's two possible expectations
}

TEST_CASE("the deadline bounds a request before its attempts run out") {
  Peer peer;
  RequestSpec spec(Command::kVersion);
  spec.deadline = 150ms;
  spec.max_attempts = 100;
  peer.engine.start(std::move(spec), peer.now);
  while (!peer.engine.take_completion()) peer.advance_to_deadline();
  CHECK(peer.now == Time(150ms));
}

TEST_CASE("a reply to a retransmitted request is no round-trip sample (Karn)") {
  Peer peer;
  peer.engine.start(RequestSpec(Command::kVersion), peer.now);
  wire::Packet request = peer.only_sent();
  peer.advance_to_deadline();
  peer.now += 1ms;
  peer.reply_to(request, wire::VersionReply{});
  REQUIRE(peer.engine.take_completion());
  CHECK(!peer.engine.rto().srtt());
}

TEST_CASE("datagrams from other sources, garbage, stale and mismatched replies are discarded") {
  Peer peer;
  peer.complete_versions(3);
  peer.engine.start(RequestSpec(Command::kReadMem64, wire::MemReadRequest{0x1000, 4}), peer.now);
  wire::Packet request = peer.only_sent();
  uint64_t discarded = peer.engine.stats().discarded;

  auto good = wire::make_reply(Command::kReadMem64, request.header.seq, request.header.key,
                               wire::DataReply{0, {1, 2, 3, 4}});
  peer.deliver(good, Endpoint{kTarget.ipv4, 41140});        // right host, wrong port
  peer.deliver(good, Endpoint{0x0a000003, kTarget.port});   // wrong host
  peer.engine.on_datagram(Datagram{kTarget, {0x94, 0x01}}, peer.now);              // too short
  peer.engine.on_datagram(Datagram{kTarget, {0x94, 3, 0x40, 0, 0, 0, 0, 0}}, peer.now);  // bad len
  peer.deliver(wire::make_reply(Command::kVersion, 2, kFirstKey + 2, wire::VersionReply{}));  // late dup
  peer.deliver(wire::make_reply(Command::kReadMem64, 2, request.header.key, wire::DataReply{}));  // old seq
  peer.deliver(wire::make_request(Command::kReadMem64, request.header.seq, request.header.key,
                                  wire::MemReadRequest{0, 4}));  // not a reply
  CHECK(!peer.engine.take_completion());
  CHECK(peer.engine.stats().discarded == discarded + 7);
  CHECK(peer.sent().empty());

  peer.deliver(good);
  auto done = peer.engine.take_completion();
  REQUIRE(done);
  REQUIRE(done->reply);
  CHECK(std::get<wire::DataReply>(done->reply->body).data == Bytes{1, 2, 3, 4});
}

TEST_CASE("replies from an earlier conversation (before a restart) never match") {
  Peer peer;
  peer.engine.restart_sequence();
  RequestSpec reattach(Command::kReattach, wire::ReattachRequest{5000});
  peer.engine.start(std::move(reattach), peer.now);
  wire::Packet old_request = peer.only_sent();
  peer.reply_to(old_request);
  REQUIRE(peer.engine.take_completion());

  peer.engine.restart_sequence();
  peer.engine.start(RequestSpec(Command::kConnect, wire::ConnectRequest{5000, 5000, "hi"}), peer.now);
  wire::Packet connect = peer.only_sent();
  CHECK(connect.header.seq == 0);
  // A duplicate of the REATTACH reply arrives: same seq 0, but an earlier key and another code.
  peer.reply_to(old_request);
  CHECK(!peer.engine.take_completion());
  CHECK(peer.sent().empty());  // no resynchronisation: it was merely stale
  peer.reply_to(connect, wire::ErrorReply{0});
  CHECK(peer.engine.take_completion());
}

TEST_CASE("a replayed foreign reply moves an idempotent request to the seq the kernel expects") {
  Peer peer;
  peer.complete_versions(5);
  peer.engine.start(RequestSpec(Command::kReadMem64, wire::MemReadRequest{0x2000, 8}), peer.now);
  wire::Packet request = peer.only_sent();
  CHECK(request.header.seq == 5);
  // Someone else's request ran under seq 5: the kernel replays that reply for our seq 5.
  peer.deliver(wire::make_reply(Command::kWriteMem64, 5, 0xdead, wire::ErrorReply{0}));
  wire::Packet moved = peer.only_sent();
  CHECK(moved.header.seq == 6);
  CHECK(moved.header.key == request.header.key);
  CHECK(moved.body == request.body);
  peer.reply_to(moved, wire::DataReply{0, Bytes(8, 0xaa)});
  auto done = peer.engine.take_completion();
  REQUIRE(done);
  CHECK(done->reply);
  CHECK(peer.engine.next_seq() == 7);
  CHECK(peer.engine.seq_certain());
  CHECK(peer.engine.stats().resyncs == 1);
}

TEST_CASE("a non-idempotent request keeps its seq and names the foreign reply when it fails") {
  Peer peer;
  peer.complete_versions(2);
  peer.engine.start(RequestSpec(Command::kBreakpointSet64, wire::BreakpointRequest{0x3000}), peer.now);
  wire::Packet request = peer.only_sent();
  peer.deliver(wire::make_reply(Command::kReadMem64, 2, 0xbeef, wire::DataReply{}));
  CHECK(peer.sent().empty());
  Completion done;
  for (;;) {
    peer.advance_to_deadline();
    for (const wire::Packet& p : peer.sent()) CHECK(p.header.seq == request.header.seq);
    if (auto c = peer.engine.take_completion()) {
      done = std::move(*c);
      break;
    }
  }
  REQUIRE(!done.reply);
  CHECK(done.reply.error().message().find("the kernel answered seq 2 with the reply to another request "
                                          "(KDP_READMEM64, key 0xbeef): another debugger may be attached") !=
        std::string::npos);
}

TEST_CASE("seq-255 hazard: an idempotent request at 255 is retried under 255 and 0") {
  Peer peer;
  peer.complete_versions(255);
  REQUIRE(peer.engine.next_seq() == 255);
  peer.engine.start(RequestSpec(Command::kReadMem64, wire::MemReadRequest{0x4000, 2}), peer.now);
  wire::Packet at255 = peer.only_sent();
  CHECK(at255.header.seq == 255);
  // The kernel executed it (E becomes 0) but the reply was lost: retransmissions under 255 are
  // dropped by the kernel for good, so the engine also sends the request as seq 0.
  peer.advance_to_deadline();
  auto copies = peer.sent();
  REQUIRE(copies.size() == 2);
  CHECK(copies[0].header.seq == 255);
  CHECK(copies[1].header.seq == 0);
  CHECK(copies[1].header.key == at255.header.key);
  peer.reply_to(copies[1], wire::DataReply{0, {7, 8}});
  auto done = peer.engine.take_completion();
  REQUIRE(done);
  CHECK(done->reply);
  CHECK(peer.engine.next_seq() == 1);
  CHECK(peer.engine.seq_certain());
}

TEST_CASE("seq-255: a late reply under 255 leaves the kernel's seq uncertain") {
  Peer peer;
  peer.complete_versions(255);
  peer.engine.start(RequestSpec(Command::kVersion), peer.now);
  wire::Packet at255 = peer.only_sent();
  peer.advance_to_deadline();
  CHECK(peer.sent().size() == 2);
  peer.reply_to(at255, wire::VersionReply{});
  REQUIRE(peer.engine.take_completion());
  CHECK(peer.engine.next_seq() == 0);
  CHECK(!peer.engine.seq_certain());  // the copy sent as seq 0 may still run
}

TEST_CASE("exception notifications are acked at once, deduplicated, and surfaced when expected") {
  Peer peer;
  peer.complete_versions(1);
  peer.engine.expect_stop(true);
  peer.engine.start(RequestSpec(Command::kReadMem64, wire::MemReadRequest{0x5000, 1}), peer.now);
  wire::Packet request = peer.only_sent();
  peer.deliver(peer.notification(0));
  auto ack = peer.engine.take_outgoing();
  REQUIRE(ack.size() == 1);
  CHECK(ack[0].bytes == Bytes{0x8d, 0, 8, 0, 0, 0, 0, 0});
  CHECK(peer.engine.busy());  // the outstanding request is untouched
  auto stop = peer.engine.take_stop();
  REQUIRE(stop);
  CHECK(stop->seq == 0);
  REQUIRE(stop->exceptions.size() == 1);
  CHECK(stop->exceptions[0].exception == 6);

  peer.deliver(peer.notification(0));  // the kernel did not see our ack
  CHECK(peer.engine.take_outgoing().size() == 1);
  CHECK(!peer.engine.take_stop());
  CHECK(peer.engine.stats().exceptions == 1);
  CHECK(peer.engine.stats().acks == 2);
  peer.reply_to(request, wire::DataReply{0, {1}});
  CHECK(peer.engine.take_completion());
}

TEST_CASE("a notification nobody expects is acked and dropped") {
  Peer peer;
  peer.deliver(peer.notification(4));
  CHECK(peer.engine.take_outgoing().size() == 1);
  CHECK(!peer.engine.take_stop());
  CHECK(peer.engine.stats().discarded == 1);
}

TEST_CASE("a stop completes an outstanding RESUMECPUS whose reply was lost") {
  Peer peer;
  peer.complete_versions(3);
  peer.start_resume();
  (void)peer.only_sent();
  peer.deliver(peer.notification(0));
  auto done = peer.engine.take_completion();
  REQUIRE(done);
  CHECK(done->reply);
  CHECK(done->implied_by_stop);
  CHECK(peer.engine.next_seq() == 4);
  CHECK(peer.engine.seq_certain());
  CHECK(peer.engine.take_stop());
}

TEST_CASE("a stop after a failed RESUMECPUS proves it ran") {
  Peer peer;
  peer.complete_versions(3);
  peer.start_resume();
  while (!peer.engine.take_completion()) peer.advance_to_deadline();
  CHECK(!peer.engine.seq_certain());
  peer.deliver(peer.notification(0));
  CHECK(peer.engine.take_stop());
  CHECK(peer.engine.next_seq() == 4);
  CHECK(peer.engine.seq_certain());
}

TEST_CASE("an unencodable request completes at once with the codec's error") {
  Peer peer;
  peer.engine.start(RequestSpec(Command::kReadMem, wire::MemReadRequest{0x1'0000'0000ULL, 4}), peer.now);
  CHECK(peer.engine.take_outgoing().empty());
  auto done = peer.engine.take_completion();
  REQUIRE(done);
  CHECK(!done->reply);
  CHECK(!peer.engine.busy());
}

TEST_CASE("while many round trips fail, idempotent requests go out as two identical copies") {
  Peer peer;
  // Two requests need a retransmission each: the failure estimate climbs past 10 %.
  for (int i = 0; i < 2; ++i) {
    CHECK(peer.engine.round_trip_failures() <= 0.1);
    peer.engine.start(RequestSpec(Command::kVersion), peer.now);
    wire::Packet request = peer.only_sent();
    peer.advance_to_deadline();
    CHECK(peer.engine.take_outgoing().size() == 1);
    peer.reply_to(request, wire::VersionReply{});
    REQUIRE(peer.engine.take_completion());
  }
  CHECK(peer.engine.round_trip_failures() > 0.1);
  peer.engine.start(RequestSpec(Command::kReadMem64, wire::MemReadRequest{0x1000, 8}), peer.now);
  auto copies = peer.engine.take_outgoing();
  REQUIRE(copies.size() == 2);
  CHECK(copies[0].bytes == copies[1].bytes);
  CHECK(peer.engine.stats().redundant == 1);
  // Both replies arrive (the kernel replays its cached reply for the second copy): one completes,
  // the other is discarded.
  wire::Packet request = *wire::decode(copies[0].bytes);
  peer.reply_to(request, wire::DataReply{0, Bytes(8, 1)});
  REQUIRE(peer.engine.take_completion());
  peer.reply_to(request, wire::DataReply{0, Bytes(8, 1)});
  CHECK(!peer.engine.take_completion());

  // A request that must not run twice is still sent once.
  peer.engine.start(RequestSpec(Command::kBreakpointSet64, wire::BreakpointRequest{0x2000}), peer.now);
  CHECK(peer.engine.take_outgoing().size() == 1);
}
