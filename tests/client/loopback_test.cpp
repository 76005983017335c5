// Session::reattach over real UDP on 127.0.0.1 against the kdp-sim binary (serving the demo
// snapshot, tools/fixtures/mksnapshot), plus hand-made peers: a target that never answers and a
// forger that sends well-formed replies from the wrong port.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <regex>
#include <string>

#include "kdp/client/session.h"
#include "kdp/net/udp_transport.h"
#include "sim_process.h"

using namespace kdp;
using namespace kdp::client;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kDemoData = 0xffffff8000800000ULL;  // tools/fixtures/mksnapshot/demo_kernel.h
constexpr uint64_t kDemoMagic = 0xfeedfacecafebeefULL;  // at kDemoData + 0x100
constexpr uint64_t kDemoTextEnd = 0xffffff8000400000ULL;  // an unmapped hole follows __TEXT

// kdp-sim in a child process, on an ephemeral loopback port.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> extra = {}, const std::string& listen = "127.0.0.1:0") {
    auto started = kdp::sim::SimProcess::start(KDP_SIM_BINARY, std::move(extra), listen);
    REQUIRE_MESSAGE(started, (started ? "" : started.error().message()));
    process_ = std::move(started).value();
  }
  std::string target() const { return process_->target(); }

 private:
  std::unique_ptr<kdp::sim::SimProcess> process_;
};

// A plain UDP socket on 127.0.0.1 (the never-answering target, the forger).
class RawSocket {
 public:
  RawSocket() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a = loopback(0);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~RawSocket() { close(fd_); }
  uint16_t port() const { return port_; }
  void send_to(uint16_t port, const Bytes& bytes) {
    sockaddr_in a = loopback(port);
    sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  int drain() {  // datagrams waiting, consumed
    int n = 0;
    char buffer[2048];
    while (recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT) >= 0) ++n;
    return n;
  }
  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

uint16_t free_port() {
  RawSocket probe;
  return probe.port();
}

SessionOptions quick_options() {
  SessionOptions o;
  o.transport = kdp::net::udp_transport_factory();
  o.retry.initial_rto = 50ms;
  o.retry.max_attempts = 6;
  o.retry.deadline = 3000ms;
  return o;
}

std::unique_ptr<Session> reattach(const std::string& target, SessionOptions options = quick_options()) {
  auto session = Session::reattach(target, std::move(options));
  REQUIRE_MESSAGE(session, (session ? "" : session.error().message()));
  return std::move(session).value();
}

uint64_t le64(const Bytes& b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= uint64_t{b[i]} << (8 * i);
  return v;
}

}  // namespace

TEST_CASE("loopback: reattach to kdp-sim, read the demo kernel, stop short at the hole") {
  SimProcess sim;
  auto session = reattach(sim.target());
  CHECK(session->target().version == 12);
  CHECK(session->target().address == sim.target());
  CHECK(session->target().uuid.has_value());
  auto magic = session->read_memory(kDemoData + 0x100, 8);
  REQUIRE(magic);
  CHECK(le64(*magic) == kDemoMagic);
  auto big = session->read_memory(kDemoTextEnd - 0x10000, 0x10000);
  REQUIRE(big);
  CHECK(big->size() == 0x10000);
  auto short_read = session->read_memory(kDemoTextEnd - 16, 64);
  REQUIRE(!short_read);
  CHECK(short_read.error().message().find("0xffffff8000400000 is unreadable") != std::string::npos);
  REQUIRE(session->disconnect());
}

TEST_CASE("loopback: a target that never answers gives a clear error naming step, target and attempts") {
  RawSocket silent;
  SessionOptions options = quick_options();
  options.retry.max_attempts = 3;
  std::string target = "127.0.0.1:" + std::to_string(silent.port());
  auto session = Session::reattach(target, options);
  REQUIRE(!session);
  CHECK(session.error().kind() == ErrorKind::kTimeout);
  std::string expected = "reattach " + target + ": no reply to KDP_REATTACH after 3 attempts in ";
  CHECK(session.error().message().substr(0, expected.size()) == expected);
  CHECK(silent.drain() == 3);  // identical retransmissions, then nothing
}

TEST_CASE("loopback: forged replies from another port are discarded") {
  SimProcess sim;
  RawSocket forger;
  SessionOptions options = quick_options();
  options.local_port = free_port();
  int forged = 0;
  // Whenever the session sends a request, the forger answers first with a well-formed reply that
  // matches its code, seq and key, carrying bogus data, from 127.0.0.1 but the wrong port.
  std::regex request("--> KDP_READMEM64 seq=([0-9]+) key=0x([0-9a-f]+) address=0x[0-9a-f]+ nbytes=([0-9]+)");
  options.packet_log = [&](std::string_view line) {
    std::smatch m;
    std::string text(line);
    if (!std::regex_search(text, m, request)) return;
    uint8_t seq = static_cast<uint8_t>(std::stoi(m[1]));
    uint32_t key = static_cast<uint32_t>(std::stoul(m[2], nullptr, 16));
    size_t n = std::stoul(m[3]);
    Bytes reply = {0x94, seq, 0, 0};
    uint16_t len = static_cast<uint16_t>(12 + n);
    reply[2] = static_cast<uint8_t>(len);
    reply[3] = static_cast<uint8_t>(len >> 8);
    for (int i = 0; i < 4; ++i) reply.push_back(static_cast<uint8_t>(key >> (8 * i)));
    reply.insert(reply.end(), 4 + n, 0x41);  // error 0x41414141 and 'A' bytes
    reply[8] = reply[9] = reply[10] = reply[11] = 0;
    forger.send_to(options.local_port, reply);
    ++forged;
  };
  auto session = reattach(sim.target(), options);
  auto magic = session->read_memory(kDemoData + 0x100, 8);
  REQUIRE(magic);
  CHECK(le64(*magic) == kDemoMagic);
  auto block = session->read_memory(kDemoData, 4096);
  REQUIRE(block);
  CHECK(block->size() == 4096);
  CHECK(std::count(block->begin(), block->end(), 0x41) < 4096);
  CHECK(forged >= 5);  // (the session's socket is connected to kdp-sim: the system drops them)
}

TEST_CASE("loopback: a second debugger reattaching mid-session takes over") {
  SimProcess sim;
  auto first = reattach(sim.target());
  REQUIRE(first->read_memory(kDemoData, 16));
  auto second = reattach(sim.target());
  auto magic = second->read_memory(kDemoData + 0x100, 8);
  REQUIRE(magic);
  CHECK(le64(*magic) == kDemoMagic);
  auto stale = first->read_memory(kDemoData, 16);
  REQUIRE(!stale);
  CHECK(stale.error().message().find("another debugger took the kernel away") != std::string::npos);
  CHECK(second->read_registers());
}

TEST_CASE("loopback: late replies to the previous session on the same port are ignored") {
  // Every datagram kdp-sim sends arrives twice, half of the copies held back 20 ms.
  SimProcess sim({"--dup", "1", "--reorder", "0.5", "--seed", "7"});
  SessionOptions options = quick_options();
  options.local_port = free_port();
  {
    auto old_session = reattach(sim.target(), options);
    for (int i = 0; i < 10; ++i) REQUIRE(old_session->read_memory(kDemoData + 64 * i, 64));
  }  // gone without detaching, its late replies still in flight
  auto session = reattach(sim.target(), options);
  for (int i = 0; i < 10; ++i) {
    auto magic = session->read_memory(kDemoData + 0x100, 8);
    REQUIRE(magic);
    CHECK(le64(*magic) == kDemoMagic);
  }
  CHECK(session->stats().discarded > 0);
}

TEST_CASE("loopback: a breakpoint is hit, its exception acked, and continue hits it again") {
  SimProcess sim;
  auto session = reattach(sim.target());
  auto stepped = session->single_step(5000ms);  // learn the next instruction of the CPU's loop
  REQUIRE_MESSAGE(stepped, (stepped ? "" : stepped.error().message()));
  uint64_t bp = stepped->rip;
  REQUIRE(session->set_breakpoint(bp));
  for (int round = 0; round < 2; ++round) {
    auto stop = session->resume_and_wait(5000ms);
    REQUIRE_MESSAGE(stop, (stop ? "" : stop.error().message()));
    CHECK(stop->breakpoint_hit);
    CHECK(stop->rip == bp);
    auto regs = session->read_registers();
    REQUIRE(regs);
    CHECK(regs->rip() == bp);
  }
  // The first step, then per round a step over the breakpoint at RIP and the hit.
  CHECK(session->stats().exceptions == 5);
  CHECK(session->stats().acks >= 5);
  REQUIRE(session->remove_breakpoint(bp));
}

TEST_CASE("loopback: nothing listening on the port fails at once, saying so") {
  uint16_t closed = free_port();  // bound and released: nobody listens there now
  std::string target = "127.0.0.1:" + std::to_string(closed);
  auto session = Session::reattach(target, quick_options());
  REQUIRE(!session);
  CHECK(session.error().kind() == ErrorKind::kIo);
  CHECK(session.error().message() ==
        "reattach " + target + ": nothing is listening on " + target + " (ICMP port unreachable)");
}

TEST_CASE("loopback: kdp-sim on [::1] is reached by '[::1]:PORT'") {
  RawSocket probe;  // skip where the host has no IPv6 loopback
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool v6 = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (fd >= 0) close(fd);
  if (!v6) {
    MESSAGE("skipped: no IPv6 loopback on this host");
    return;
  }
  SimProcess sim({}, "[::1]:0");
  CHECK(sim.target().rfind("[::1]:", 0) == 0);
  auto session = reattach(sim.target());
  CHECK(session->target().host == "::1");
  CHECK(session->target().address == sim.target());
  auto magic = session->read_memory(kDemoData + 0x100, 8);
  REQUIRE(magic);
  CHECK(le64(*magic) == kDemoMagic);
}
