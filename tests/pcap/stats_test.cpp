// Pairing requests with replies and the statistics of `kdpctl pcap stats`.
#include <doctest/doctest.h>

#include "kdp/pcap/exchange.h"
#include "kdp/pcap/stats.h"
#include "tests/pcap/session_bytes.h"

using namespace kdp;
using namespace kdp::test;

TEST_CASE("retransmissions, duplicate replies, unanswered requests and round trips") {
  const uint64_t a = 0xffffff8000200000;
  CaptureBuilder b;
  b.to_target(readmem64(1, a, 16), 0)                               // answered in 100 us
      .from_target(readmem64_reply(1, pattern(a, 16)), 100)
      .to_target(readmem64(2, a + 16, 16), 1000)                    // lost once, retransmitted
      .to_target(readmem64(2, a + 16, 16), 3000)
      .from_target(readmem64_reply(2, pattern(a + 16, 16)), 3300)
      .from_target(readmem64_reply(2, pattern(a + 16, 16)), 3400)   // duplicate
      .to_target(readmem64(3, a + 32, 16), 4000)                    // answered in 300 us
      .from_target(readmem64_reply(3, pattern(a + 32, 16)), 4300)
      .to_target(kdp_header(0x03, 4, 8), 5000)                      // VERSION, never answered
      .from_target(exception_note(0), 6000)
      .from_target(exception_note(0), 6003)                         // kernel retransmission
      .to_target(kdp_header(0x8d, 0, 8), 6010)                      // ack
      .from_target(Bytes{0x94, 9}, 7000);                           // too short to be KDP
  const kdp::pcap::Capture capture = b.capture();
  const kdp::pcap::Exchanges ex = kdp::pcap::pair_exchanges(capture);
  const kdp::pcap::CaptureStats s = kdp::pcap::compute_stats(capture, ex);

  CHECK(s.requests == 4);
  CHECK(s.transmissions == 5);
  CHECK(s.retransmissions == 1);
  CHECK(s.replies == 3);
  CHECK(s.duplicate_replies == 1);
  REQUIRE(s.unanswered.size() == 1);
  CHECK(s.unanswered[0].number == 9);
  CHECK(s.unanswered[0].description.find("KDP_VERSION seq=4") == 0);
  REQUIRE(s.rtt);
  CHECK(s.rtt->samples == 2);  // the retransmitted request is not sampled (Karn)
  CHECK(s.rtt->min_ns == 100'000);
  CHECK(s.rtt->max_ns == 300'000);
  CHECK(s.rtt->median_ns == 200'000);
  CHECK(s.notifications == 1);
  CHECK(s.duplicate_notifications == 1);
  CHECK(s.unacked_notifications == 0);
  CHECK(s.acks == 1);
  CHECK(s.malformed == 1);
  REQUIRE(s.by_command.size() == 2);
  CHECK(s.by_command[0].name == "KDP_VERSION");
  CHECK(s.by_command[1].name == "KDP_READMEM64");
  CHECK(s.by_command[1].requests == 3);
  CHECK(s.by_command[1].transmissions == 4);
  CHECK(ex.roles[3].kind == kdp::pcap::DatagramRole::kRetransmission);
  CHECK(ex.roles[5].kind == kdp::pcap::DatagramRole::kDuplicateReply);
  CHECK(ex.roles[11].kind == kdp::pcap::DatagramRole::kAck);
}

TEST_CASE("LLDB's exception ack with len 28 on an 8-byte datagram still counts as the ack") {
  CaptureBuilder b;
  b.from_target(exception_note(5), 0).to_target(kdp_header(0x8d, 5, 28), 10);
  const kdp::pcap::Capture capture = b.capture();
  const kdp::pcap::CaptureStats s = kdp::pcap::compute_stats(capture, kdp::pcap::pair_exchanges(capture));
  CHECK(s.acks == 1);
  CHECK(s.unacked_notifications == 0);
  CHECK(s.malformed == 0);
}

TEST_CASE("a reply that answers nothing is stray; an unacked notification is counted") {
  CaptureBuilder b;
  b.from_target(readmem64_reply(9, {1, 2}), 0).from_target(exception_note(1), 5);
  const kdp::pcap::Capture capture = b.capture();
  const kdp::pcap::CaptureStats s = kdp::pcap::compute_stats(capture, kdp::pcap::pair_exchanges(capture));
  CHECK(s.stray_replies == 1);
  CHECK(s.unacked_notifications == 1);
  CHECK_FALSE(s.rtt);
}
