#include <doctest/doctest.h>

#include "kdp/base/bytes.h"
#include "kdp/net/udp.h"

using namespace kdp;
using namespace kdp::net;

TEST_CASE("resolve goes through the system resolver and parses ports") {
  auto e = resolve("localhost:4000", 41139);
  REQUIRE(e);
  CHECK(e->ipv4 == 0x7f000001u);
  CHECK(e->port == 4000);
  auto d = resolve("127.0.0.1", 41139);
  REQUIRE(d);
  CHECK(d->port == 41139);
  CHECK(resolve("127.0.0.1:0", 41139).error().message() ==
        "'127.0.0.1:0': port must be a number from 1 to 65535");
  CHECK(resolve("127.0.0.1:x", 41139).error().kind() == ErrorKind::kUsage);
  CHECK(resolve("no-such-host.invalid", 41139).error().kind() == ErrorKind::kNotFound);
}

TEST_CASE("UdpSocket delivers whole datagrams with the sender's endpoint on loopback") {
  EventLoop loop;
  Datagram got;
  int received = 0;
  auto a = UdpSocket::open(loop, {0x7f000001, 0}, [&](Datagram d) {
    got = std::move(d);
    ++received;
    loop.stop();
  });
  REQUIRE(a);
  auto b = UdpSocket::open(loop, {0x7f000001, 0}, nullptr);
  REQUIRE(b);
  CHECK((*a)->local().port != 0);
  REQUIRE((*b)->send({(*a)->local(), {1, 2, 3}}));
  Timer guard(loop);
  guard.start(std::chrono::seconds(5), [&] { loop.stop(); });
  loop.run();
  CHECK(received == 1);
  CHECK(got.bytes == Bytes{1, 2, 3});
  CHECK(got.peer == (*b)->local());
}

TEST_CASE("Timer fires once after its delay") {
  EventLoop loop;
  Timer t(loop);
  int fired = 0;
  t.start(std::chrono::milliseconds(1), [&] { ++fired; });
  loop.run();
  CHECK(fired == 1);
}

TEST_CASE("targets: [v6]:port, bare IPv6 addresses, a trailing root dot") {
  auto v6 = split_host_port("[::1]:4000", 41139);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 4000);
  auto bare = split_host_port("fe80::1", 41139);  // two colons, no brackets: no port
  REQUIRE(bare);
  CHECK(bare->host == "fe80::1");
  CHECK(bare->port == 41139);
  auto dotted = split_host_port("localhost.:7", 41139);
  REQUIRE(dotted);
  CHECK(dotted->host == "localhost");
  CHECK(split_host_port("[::1", 41139).error().message() == "'[::1': missing ']'");
  CHECK(split_host_port("[::1]x", 41139).error().kind() == ErrorKind::kUsage);
  CHECK(split_host_port("host:0", 41139).error().kind() == ErrorKind::kUsage);
  CHECK(split_host_port("host:0", 41139, true)->port == 0);

  auto loop6 = resolve("[::1]:5", 41139);
  REQUIRE(loop6);
  CHECK(loop6->is_v6);
  CHECK(to_string(*loop6) == "[::1]:5");
  CHECK(is_loopback(*loop6));
  auto fqdn = resolve("localhost.", 41139);  // A wins over AAAA: xnu speaks IPv4
  REQUIRE(fqdn);
  CHECK(!fqdn->is_v6);
  CHECK(fqdn->ipv4 == 0x7f000001u);
}

TEST_CASE("endpoint text follows RFC 5952 for IPv6") {
  Endpoint e;
  e.is_v6 = true;
  e.port = 41139;
  e.ipv6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  CHECK(to_string(e) == "[2001:db8::1]:41139");
  e.ipv6 = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
  CHECK(address_text(e) == "2001:db8:1::1:0:0");  // the first of two equal runs
  CHECK(!is_loopback(e));
}

TEST_CASE("a connected UDP socket reports nothing listening (ICMP port unreachable)") {
  EventLoop loop;
  uint16_t closed = 0;
  {
    auto gone = UdpSocket::open(loop, {0x7f000001, 0}, [](Datagram) {});
    REQUIRE(gone);
    closed = (*gone)->local().port;
  }
  auto s = UdpSocket::open(loop, {0x7f000001, 0}, [](Datagram) {});
  REQUIRE(s);
  Endpoint target{0x7f000001, closed};
  REQUIRE((*s)->connect(target));
  CHECK((*s)->error() == 0);
  REQUIRE((*s)->send(Datagram{target, Bytes{1, 2, 3}}));
  for (int i = 0; i < 100 && (*s)->error() == 0; ++i) {
    loop.poll();
    if ((*s)->error() == 0) (void)(*s)->send(Datagram{target, Bytes{1}});
  }
  CHECK((*s)->error() != 0);
  CHECK((*s)->send(Datagram{Endpoint{0x7f000001, 9}, Bytes{1}}).error().kind() == ErrorKind::kUsage);
}
