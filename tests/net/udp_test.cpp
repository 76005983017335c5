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
