// The capture reader over hand-built files: every link type, VLAN tags, IPv6, fragments, non-KDP
// traffic, damaged and truncated files.
#include <doctest/doctest.h>

#include <pcap/dlt.h>

#include "kdp/pcap/capture.h"
#include "tests/pcap/hand_frames.h"

using namespace kdp;
using namespace kdp::test;

namespace {

// Spec §10: HOSTINFO request (seq 2) and its reply.
const Bytes kHostInfoRequest = {0x02, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00};
const Bytes kHostInfoReply = {0x82, 0x02, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x00,
                              0x00, 0x00, 0x07, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00};

Bytes request_packet() { return ipv4(kLocalhost, kLocalhost, 17, udp_header(50000, 41139, kHostInfoRequest)); }
Bytes reply_packet() { return ipv4(kLocalhost, kLocalhost, 17, udp_header(41139, 50000, kHostInfoReply)); }

pcap::Capture load(const Bytes& file) {
  auto capture = kdp::pcap::load_capture_bytes(file, "hand.pcap");
  REQUIRE_MESSAGE(capture, (capture ? "" : capture.error().message()));
  return std::move(capture).value();
}

void check_pair(const kdp::pcap::Capture& c) {
  REQUIRE(c.datagrams.size() == 2);
  CHECK(c.datagrams[0].payload == kHostInfoRequest);
  CHECK(c.datagrams[0].direction == kdp::pcap::Direction::kToTarget);
  CHECK(kdp::pcap::to_string(c.datagrams[0].source) == "127.0.0.1:50000");
  CHECK(kdp::pcap::to_string(c.datagrams[0].destination) == "127.0.0.1:41139");
  CHECK(c.datagrams[1].payload == kHostInfoReply);
  CHECK(c.datagrams[1].direction == kdp::pcap::Direction::kFromTarget);
}

}  // namespace

TEST_CASE("Ethernet, with and without VLAN tags") {
  check_pair(load(pcap_file(DLT_EN10MB, {{1, 0, ethernet(0x0800, request_packet())},
                                         {1, 250, ethernet(0x0800, reply_packet(), {100, 200})}})));
  auto c = load(pcap_file(DLT_EN10MB, {{7, 5, ethernet(0x0800, request_packet())}}));
  CHECK(c.datagrams[0].time_ns == 7'000'005'000);
  CHECK(c.datagrams[0].number == 1);
  CHECK(c.datagrams[0].file_offset == 24);
}

TEST_CASE("BSD loopback in either byte order, LOOP, Linux cooked v1 and v2, raw IP") {
  Bytes null_le, null_be;
  put_le(null_le, 2, 4);
  put_be(null_be, 2, 4);
  Bytes a = null_le, b = null_be;
  append(a, request_packet());
  append(b, reply_packet());
  check_pair(load(pcap_file(DLT_NULL, {{0, 0, a}, {0, 1, b}})));
  check_pair(load(pcap_file(108 /* LINKTYPE_LOOP */, {{0, 0, a}, {0, 1, b}})));

  auto sll = [](const Bytes& ip) {
    Bytes out;
    put_be(out, 0, 2);   // packet type
    put_be(out, 772, 2); // ARPHRD_LOOPBACK
    put_be(out, 6, 2);
    out.resize(out.size() + 8, 0);
    put_be(out, 0x0800, 2);
    append(out, ip);
    return out;
  };
  check_pair(load(pcap_file(DLT_LINUX_SLL, {{0, 0, sll(request_packet())}, {0, 1, sll(reply_packet())}})));
  auto sll2 = [](const Bytes& ip) {
    Bytes out;
    put_be(out, 0x0800, 2);
    put_be(out, 0, 2);
    put_be(out, 1, 4);  // ifindex
    put_be(out, 772, 2);
    out.push_back(0);
    out.push_back(6);
    out.resize(out.size() + 8, 0);
    append(out, ip);
    return out;
  };
  check_pair(load(pcap_file(DLT_LINUX_SLL2, {{0, 0, sll2(request_packet())}, {0, 1, sll2(reply_packet())}})));
  check_pair(load(pcap_file(101 /* LINKTYPE_RAW */, {{0, 0, request_packet()}, {0, 1, reply_packet()}})));
}

TEST_CASE("pcapng is read through libpcap too") {
  check_pair(load(pcapng_file(DLT_EN10MB, {{3, 0, ethernet(0x0800, request_packet())},
                                           {3, 10, ethernet(0x0800, reply_packet())}})));
}

TEST_CASE("IPv6 with an extension header") {
  Bytes lo(16, 0);
  lo[15] = 1;
  Bytes hop_by_hop = {17, 0, 0, 0, 0, 0, 0, 0};  // next header UDP, 8 bytes, padding
  append(hop_by_hop, udp_header(50000, 41139, kHostInfoRequest));
  auto c = load(pcap_file(DLT_EN10MB, {{0, 0, ethernet(0x86dd, ipv6(lo, lo, 0, hop_by_hop))}}));
  REQUIRE(c.datagrams.size() == 1);
  CHECK(c.datagrams[0].payload == kHostInfoRequest);
  CHECK(kdp::pcap::to_string(c.datagrams[0].source) == "[::1]:50000");
}

TEST_CASE("non-KDP traffic is counted and skipped; --port picks another port") {
  Bytes arp(28, 0);
  auto c = load(pcap_file(DLT_EN10MB, {{0, 0, ethernet(0x0806, arp)},
                                       {0, 1, ethernet(0x0800, ipv4(kLocalhost, kLocalhost, 6, Bytes(20, 0)))},
                                       {0, 2, ethernet(0x0800, ipv4(kLocalhost, kLocalhost, 17, udp_header(53, 5353, {1, 2})))},
                                       {0, 3, ethernet(0x0800, request_packet())}}));
  CHECK(c.summary.frames == 4);
  CHECK(c.summary.not_ip == 1);
  CHECK(c.summary.not_kdp == 2);
  REQUIRE(c.datagrams.size() == 1);
  CHECK(c.datagrams[0].number == 4);

  Bytes file = pcap_file(DLT_EN10MB, {{0, 0, ethernet(0x0800, ipv4(kLocalhost, kLocalhost, 17,
                                                                   udp_header(50000, 9999, kHostInfoRequest)))}});
  kdp::pcap::CaptureOptions options;
  options.port = 9999;
  auto other = kdp::pcap::load_capture_bytes(file, "other.pcap", options);
  REQUIRE(other);
  CHECK(other->datagrams.size() == 1);
  CHECK(load(file).datagrams.empty());
}

TEST_CASE("IPv4 fragments are reassembled, in any order; an incomplete one is reported") {
  // A KDP reply of 20 bytes + 8 UDP = 28 bytes, split at 16 (offset field in 8-byte units).
  const Bytes udp = udp_header(41139, 50000, kHostInfoReply);
  const Bytes first(udp.begin(), udp.begin() + 16), second(udp.begin() + 16, udp.end());
  const Bytes f1 = ethernet(0x0800, ipv4(kLocalhost, kLocalhost, 17, first, 77, 0x2000));
  const Bytes f2 = ethernet(0x0800, ipv4(kLocalhost, kLocalhost, 17, second, 77, 16 / 8));
  auto c = load(pcap_file(DLT_EN10MB, {{0, 0, f2}, {0, 1, f1}}));
  REQUIRE(c.datagrams.size() == 1);
  CHECK(c.datagrams[0].payload == kHostInfoReply);
  CHECK(c.summary.reassembled == 1);

  auto lonely = load(pcap_file(DLT_EN10MB, {{0, 0, f1}}));
  CHECK(lonely.datagrams.empty());
  REQUIRE(lonely.summary.notes.size() == 1);
  CHECK(lonely.summary.notes[0].find("incomplete IP fragments") != std::string::npos);
  CHECK(lonely.summary.notes[0].find("id 0x4d") != std::string::npos);
}

TEST_CASE("a KDP datagram cut by the snap length is skipped with a note") {
  Bytes frame = ethernet(0x0800, reply_packet());
  const uint32_t full = static_cast<uint32_t>(frame.size());
  frame.resize(frame.size() - 6);
  auto c = load(pcap_file(DLT_EN10MB, {{0, 0, frame, full}}));
  CHECK(c.datagrams.empty());
  CHECK(c.summary.snaplen_cut == 1);
}

TEST_CASE("damaged and truncated files name the packet and the offset") {
  Bytes good = pcap_file(DLT_EN10MB, {{0, 0, ethernet(0x0800, request_packet())},
                                      {0, 1, ethernet(0x0800, reply_packet())}});
  Bytes truncated(good.begin(), good.end() - 5);
  auto t = kdp::pcap::load_capture_bytes(truncated, "cut.pcap");
  REQUIRE_FALSE(t);
  CHECK(t.error().kind() == ErrorKind::kMalformed);
  const uint64_t second_record = 24 + 16 + ethernet(0x0800, request_packet()).size();
  CHECK(t.error().message().find("cut.pcap: packet 2 (file offset " + hex(second_record) + ")") == 0);

  // IHL 4 in the second frame's IPv4 header.
  Bytes damaged = good;
  damaged[second_record + 16 + 14] = 0x44;
  auto d = kdp::pcap::load_capture_bytes(damaged, "bad.pcap");
  REQUIRE_FALSE(d);
  CHECK(d.error().message().find("bad.pcap: packet 2 (file offset " + hex(second_record) + "): IPv4 header: IHL 4") == 0);

  auto junk = kdp::pcap::load_capture_bytes(Bytes{'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                                       "junk.pcap");
  REQUIRE_FALSE(junk);
  CHECK(junk.error().message().find("junk.pcap: not a readable pcap or pcapng file") == 0);
  CHECK_FALSE(kdp::pcap::load_capture_bytes(Bytes{}, "empty.pcap"));
}

TEST_CASE("an unsupported link type is refused by name") {
  auto c = kdp::pcap::load_capture_bytes(pcap_file(DLT_IEEE802_11, {}), "wifi.pcap");
  REQUIRE_FALSE(c);
  CHECK(c.error().message().find("link type IEEE802_11 is not supported") != std::string::npos);
}

TEST_CASE("a simulator's port is learned from the handshake unless --port was given") {
  const Bytes reattach = {0x12, 0x00, 0x0a, 0x00, 0, 0, 0, 0, 0xc3, 0x50};  // spec §10, port 50000
  const Bytes reattach_reply = {0x92, 0x00, 0x08, 0x00, 0, 0, 0, 0};
  auto frame = [](uint16_t sport, uint16_t dport, const Bytes& kdp) {
    return ethernet(0x0800, ipv4(kLocalhost, kLocalhost, 17, udp_header(sport, dport, kdp)));
  };
  const Bytes file = pcap_file(DLT_EN10MB, {{0, 0, frame(50000, 6000, {1, 2, 3})},
                                            {0, 1, frame(50000, 6000, reattach)},
                                            {0, 2, frame(6000, 50000, reattach_reply)}});
  auto c = load(file);
  CHECK(c.summary.kdp_port == 6000);
  REQUIRE(c.datagrams.size() == 2);
  CHECK(c.datagrams[0].number == 2);
  CHECK(c.datagrams[1].direction == kdp::pcap::Direction::kFromTarget);
  REQUIRE(c.summary.notes.size() == 1);
  CHECK(c.summary.notes[0] == "nothing on UDP port 41139; the kernel's port is 6000, from the KDP_REATTACH in packet 2");

  kdp::pcap::CaptureOptions strict;
  strict.learn_port = false;
  auto s = kdp::pcap::load_capture_bytes(file, "strict.pcap", strict);
  REQUIRE(s);
  CHECK(s->datagrams.empty());
}
