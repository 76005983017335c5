// Going on with an earlier process's conversation (client::ResumePoint) over the simulated
// network: what kdpctl's one-shot commands do between each other in direct mode.
#include <doctest/doctest.h>

#include "kdp/wire/codec.h"
#include "sim_fixture.h"

using namespace kdp;
using namespace kdp::sim;
using namespace std::chrono_literals;
using client::ResumePoint;
using client::Session;
using wire::Command;

namespace {

constexpr uint16_t kPort = 50000;

struct World {
  explicit World(KernelSpec spec = {}, WorldConfig config = {}) : World(make_kernel(spec), config) {}
  World(SimKernel kernel, WorldConfig config) : path(kernel.path), world(std::move(kernel.engine), config) {
    world.on_kernel_delivery([this](const KernelDelivery& d) {
      if (auto h = wire::decode_header(d.datagram.bytes); h && !h->is_reply) {
        delivered.emplace_back(h->command, h->seq);
        if (d.executed) executed.push_back(h->command);
      }
    });
  }

  // A process: a session on `port`, going on with `resume` if given.
  std::unique_ptr<Session> open(uint16_t port, uint32_t key, std::optional<ResumePoint> resume = {}) {
    client::SessionOptions options;
    options.retry = sim_policy();
    options.resume = std::move(resume);
    client::SessionSetup setup{"sim", kKernel, std::move(options), key};
    auto session = client::open_session(world.attach(port), std::move(setup), client::AttachMode::kReattach);
    REQUIRE_MESSAGE(session, (session ? "" : session.error().message()));
    return std::move(session).value();
  }
  Bytes kernel_bytes(uint64_t address, size_t size) { return world.kernel().memory().read(address, size); }

  std::vector<uint64_t> path;
  SimWorld world;
  std::vector<std::pair<Command, uint8_t>> delivered;  // requests the kernel received
  std::vector<Command> executed;                       // ... and those it executed
};

// The first process: attaches, reads a little, and ends leaving its resume point.
ResumePoint first_process(World& w, int reads = 3) {
  auto first = w.open(kPort, 0x1000);
  for (int i = 0; i < reads; ++i) REQUIRE(first->read_memory(kText + 64 * i, 64));
  std::optional<ResumePoint> point = first->resume_point();
  REQUIRE(point);
  CHECK(point->local_port == kPort);
  CHECK(point->next_seq == 5 + reads);  // handshake seqs 0..4, then one per read
  return *point;
}

bool contains(const std::vector<std::pair<Command, uint8_t>>& seen, Command command) {
  return std::ranges::any_of(seen, [&](const auto& p) { return p.first == command; });
}

}  // namespace

TEST_CASE("the next process goes on with the conversation: one request, no REATTACH, same answers") {
  World w;
  const ResumePoint point = first_process(w);
  w.delivered.clear();
  auto next = w.open(kPort, 0x9999, point);
  CHECK(next->resumed());
  // One KERNELVERSION under the seq the kernel expects proves the conversation is alive.
  CHECK(w.delivered == std::vector<std::pair<Command, uint8_t>>{{Command::kKernelVersion, point.next_seq}});
  CHECK(next->target().kernel_version == point.target.kernel_version);
  CHECK(next->target().uuid == std::string(stub::kDefaultKernelUuid));
  CHECK(next->target().host == "sim");
  CHECK(next->target().max_bytes == 1024);
  auto r = next->read_memory(kData, 128);
  REQUIRE(r);
  CHECK(*r == w.kernel_bytes(kData, 128));
  CHECK(w.world.kernel().reply_port() == kPort);
  std::optional<ResumePoint> after = next->resume_point();
  REQUIRE(after);
  CHECK(after->next_seq == point.next_seq + 2);
  CHECK(after->connect_key == point.connect_key);
  CHECK(after->next_key == point.next_key + 2);  // keys go on: the earlier process's stay stale
}

TEST_CASE("a kernel that a REATTACH reset meanwhile is regained with the conversation's CONNECT") {
  World w;
  const ResumePoint point = first_process(w);
  auto reattach = wire::encode(wire::make_request(Command::kReattach, 0, 0x77, wire::ReattachRequest{41999}));
  REQUIRE(reattach);
  w.world.inject(Endpoint{kDebuggerIp, 41999}, kKernel, *reattach, 0us);  // someone else, gone
  w.world.advance(5ms);
  REQUIRE(!w.world.kernel().connected());
  w.delivered.clear();
  auto next = w.open(kPort, 0x9999, point);
  CHECK(next->resumed());
  CHECK(next->stats().recoveries == 1);
  CHECK(!contains(w.delivered, Command::kReattach));
  CHECK(contains(w.delivered, Command::kConnect));
  CHECK(w.world.kernel().connected());
  CHECK(w.world.kernel().reply_port() == kPort);
  auto r = next->read_memory(kText, 32);
  REQUIRE(r);
  CHECK(*r == w.kernel_bytes(kText, 32));
}

TEST_CASE("another debugger holding the kernel is taken over, as a fresh reattach would") {
  World w;
  const ResumePoint point = first_process(w, 4);
  auto other = w.open(kPort + 1, 0x5000);  // E is now 5, the resumed seq 9
  REQUIRE(w.world.kernel().reply_port() == kPort + 1);
  w.delivered.clear();
  auto next = w.open(kPort, 0x9999, point);
  CHECK(contains(w.delivered, Command::kReattach));
  CHECK(w.world.kernel().reply_port() == kPort);
  auto r = next->read_memory(kText, 32);
  REQUIRE(r);
  CHECK(*r == w.kernel_bytes(kText, 32));
  CHECK(!other->read_memory(kText, 8));  // the other one lost it
}

TEST_CASE("a stop after resuming is reported: notifications go on from where the conversation was") {
  World w;
  auto first = w.open(kPort, 0x1000);
  const uint64_t bp = w.path[4];
  REQUIRE(first->set_breakpoint(bp));
  for (int i = 0; i < 2; ++i) {
    auto stop = first->resume_and_wait(5s);
    REQUIRE(stop);
    CHECK(stop->rip == bp);
  }
  REQUIRE(first->remove_breakpoint(bp));
  std::optional<ResumePoint> point = first->resume_point();
  REQUIRE(point);
  CHECK(point->next_notification == 3);  // two hits and one step over the breakpoint
  first.reset();
  auto next = w.open(kPort, 0x9999, point);
  REQUIRE(next->resumed());
  REQUIRE(next->set_breakpoint(w.path[9]));
  auto stop = next->resume_and_wait(5s);
  REQUIRE_MESSAGE(stop, (stop ? "" : stop.error().message()));
  CHECK(stop->breakpoint_hit);
  CHECK(stop->rip == w.path[9]);
}

TEST_CASE("no resume point while the kernel runs or after the session ended") {
  World w;
  auto running = w.open(kPort, 0x1000);
  REQUIRE(running->disconnect());
  CHECK(!running->resume_point());
  World w2({.stop_after = std::nullopt}, {});
  auto waiting = w2.open(kPort, 0x1000);
  auto stop = waiting->resume_and_wait(50ms);  // no breakpoint, no scheduled stop: it runs on
  REQUIRE(!stop);
  CHECK(waiting->running());
  CHECK(!waiting->resume_point());
}

TEST_CASE("lossy network: 200 resumed conversations give the kernel's bytes") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    WorldConfig config;
    config.seed = seed;
    for (auto* f : {&config.to_kernel, &config.to_debuggers}) {
      f->loss = 0.2;
      f->dup = 0.1;
      f->reorder = 0.1;
      f->delay = 1ms;
    }
    World w({}, config);
    std::optional<ResumePoint> point;
    for (int process = 0; process < 4; ++process) {
      CAPTURE(process);
      auto session = w.open(kPort, 0x1000 + 0x100000 * process, point);
      const uint64_t at = kData + 48 * process;
      auto r = session->read_memory(at, 48);
      REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
      CHECK(*r == w.kernel_bytes(at, 48));
      point = session->resume_point();
    }
  }
}

TEST_CASE("a long conversation wrapped past 255: a silent kernel whose E-1 is 0 is found still ours") {
  World w;
  auto session = w.open(kPort, 0x1000);
  // Requests until the kernel executed one under seq 0 and expects 1.
  for (int i = 0; i < 300 && session->resume_point()->next_seq != 1; ++i) REQUIRE(session->read_memory(kText, 8));
  REQUIRE(session->resume_point()->next_seq == 1);
  // The next request's first six transmissions are lost: the session retransmits its CONNECT
  // as seq 0, which the kernel answers by replaying its reply to our seq-0 request.
  int dropped = 0;
  w.world.drop_if([&](const Datagram& d, Endpoint) {
    auto h = wire::decode_header(d.bytes);
    return h && h->command == Command::kReadMem64 && h->seq == 1 && dropped++ < 6;
  });
  w.executed.clear();
  auto r = session->read_memory(kData, 16);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
  CHECK(*r == w.kernel_bytes(kData, 16));
  CHECK(dropped >= 6);
  CHECK(session->stats().recoveries == 1);
  CHECK(std::ranges::count(w.executed, Command::kConnect) == 0);  // it never took the CONNECT
  CHECK(w.world.kernel().stats().replayed_replies > 0);
}

namespace {

// The machine restarts behind the session's back (a HOSTREBOOT from elsewhere, in sequence).
void restart_behind_its_back(World& w) {
  const uint8_t seq = w.world.kernel().expected_seq();
  auto reboot = wire::encode(wire::make_request(Command::kHostReboot, seq, 0x77, wire::Empty{}));
  REQUIRE(reboot);
  w.world.inject(Endpoint{kDebuggerIp, 41999}, kKernel, *reboot, 0us);
  w.world.advance(5s);  // booted, waiting for a debugger
  REQUIRE(w.world.kernel().stats().reboots == 1);
  REQUIRE(!w.world.kernel().connected());
}

}  // namespace

TEST_CASE("a kernel regained after a restart is checked: the same kernel goes on, another ends the session") {
  World same;
  auto session = same.open(kPort, 0x1000);
  REQUIRE(session->read_memory(kText, 8));
  restart_behind_its_back(same);
  auto r = session->read_memory(kData, 16);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
  CHECK(*r == same.kernel_bytes(kData, 16));
  CHECK(session->stats().recoveries == 1);

  World updated;
  auto old = updated.open(kPort, 0x1000);
  REQUIRE(old->read_memory(kText, 8));
  const std::string other = "Darwin Kernel Version 11.4.0: Mon Apr  9 19:32:15 PDT 2012; "
                            "root:xnu-1699.26.8~1/RELEASE_X86_64; UUID=00000000-1111-2222-3333-444444444444";
  updated.world.kernel().install_kernel_version(other);
  restart_behind_its_back(updated);
  auto stale = old->read_memory(kData, 16);
  REQUIRE(!stale);
  CHECK(stale.error().message().find("answered our KDP_CONNECT as another kernel (it restarted?): now \"" + other) !=
        std::string::npos);
  CHECK(old->read_memory(kData, 16).error().kind() == ErrorKind::kUsage);  // the session is over
}
