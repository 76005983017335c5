// A burst of random datagrams at the kernel (a fuzzer, a misdirected tool on the same host) moves
// its expected sequence or drops the session (a REATTACH). The session regains the kernel well
// before its deadline and says how, for both a held session (the agent) and a conversation the
// next process goes on with (direct mode). Seeded: each seed is one burst, replayed exactly.
#include <doctest/doctest.h>

#include "sim_fixture.h"

using namespace kdp;
using namespace kdp::sim;
using namespace std::chrono_literals;
using wire::Command;

namespace {

constexpr uint16_t kOurPort = 50000;
constexpr Duration kBurstLength = 500ms;
constexpr int kBurstDatagrams = 200;
constexpr auto kDeadline = std::chrono::milliseconds(10000);  // kdpctl's default per request
// Well before the deadline: the recovery takes a few round trips, not the request's whole budget.
constexpr Duration kPromptly = 3s;

// Requests that move the kernel's sequence (queries answered under the seq it expects) or drop the
// session (REATTACH, any seq), and codes it does not know. Nothing that lets the kernel run,
// reboots it or connects someone else: those take the kernel away for real.
// `with_reattach`: one in eight is a REATTACH. `seq`: the datagram's sequence number.
Bytes garbage_datagram(std::mt19937_64& rng, bool with_reattach, uint8_t seq) {
  struct Kind {
    uint8_t code;
    size_t body;
  };
  static constexpr Kind kKinds[] = {
      {uint8_t(Command::kVersion), 0},   {uint8_t(Command::kHostInfo), 0},  {uint8_t(Command::kMaxBytes), 0},
      {uint8_t(Command::kReadMem64), 12}, {uint8_t(Command::kReadRegs), 8},  {uint8_t(Command::kKernelVersion), 0},
      {0x25, 5},                         {uint8_t(Command::kReattach), 2}};
  const size_t kinds = with_reattach ? std::size(kKinds) : std::size(kKinds) - 2;
  const Kind kind = kKinds[rng() % kinds];
  Bytes bytes(8 + kind.body);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  bytes[0] = kind.code;
  bytes[1] = seq;
  bytes[2] = static_cast<uint8_t>(bytes.size());
  bytes[3] = 0;
  if (kind.code == uint8_t(Command::kReadRegs)) bytes[12] = 4, bytes[13] = bytes[14] = bytes[15] = 0;  // flavor 4
  if (kind.code == uint8_t(Command::kReadMem64)) bytes[19] = 0, bytes[18] = 0, bytes[17] &= 3;  // nbytes <= 1023
  return bytes;
}

// From the debugger's own host (replies to them go to our port: the kernel sends every reply to
// the sender's address at the session's reply port), from ports other than ours. Odd seeds send
// REATTACHes among the rest; seeds 3 and 4 modulo 4 number their datagrams 0, 1, 2 ... as a client
// would (a stray tool in the middle of its own conversation), the others at random.
void burst(SimWorld& world, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const bool with_reattach = seed % 2 == 1;
  const bool counting = seed % 4 >= 2;
  const auto first = static_cast<uint8_t>(rng());
  // Seeds 5-8 modulo 8 come from another host: their replies, and the kernel's replays of them, go there.
  const uint32_t host = seed % 8 >= 4 ? kDebuggerIp + 7 : kDebuggerIp;
  for (int i = 0; i < kBurstDatagrams; ++i) {
    const auto port = static_cast<uint16_t>(40000 + rng() % 1000);
    const auto seq = static_cast<uint8_t>(counting ? first + i : rng());
    world.inject(Endpoint{host, port}, kKernel, garbage_datagram(rng, with_reattach, seq),
                 kBurstLength * i / kBurstDatagrams);
  }
  world.advance(kBurstLength + 10ms);
}

client::RetryPolicy policy() {
  client::RetryPolicy p = sim_policy();
  p.deadline = kDeadline;
  return p;
}

// Reads the text and the registers, and sets and removes a breakpoint, each promptly.
void use_promptly(SimWorld& world, client::Session& session, const PacketTrace& trace) {
  INFO("last packets:\n" << trace.tail());
  const Bytes expected = world.kernel().memory().read(kText, 256);
  Time before = world.now();
  auto bytes = session.read_memory(kText, 256);
  REQUIRE_MESSAGE(bytes, (bytes ? "" : bytes.error().message()));
  CHECK(*bytes == expected);
  CHECK(world.now() - before < kPromptly);
  auto regs = session.read_registers();
  REQUIRE_MESSAGE(regs, (regs ? "" : regs.error().message()));
  CHECK(regs->rip() == world.kernel().registers().rip());
  Status set = session.set_breakpoint(kText + 0x40);
  REQUIRE_MESSAGE(set, (set ? "" : set.error().message()));
  Status removed = session.remove_breakpoint(kText + 0x40);
  REQUIRE_MESSAGE(removed, (removed ? "" : removed.error().message()));
  CHECK(world.kernel().connected());
  CHECK(world.kernel().reply_port() == kOurPort);
  // -v says what happened when the burst cost the session its sequence.
  if (session.stats().recoveries > 0) CHECK(trace.mentions("   regained: "));
}

constexpr uint64_t kSeeds = 200;

}  // namespace

TEST_CASE("a burst of random datagrams (some REATTACH) during a held session: the next requests regain the kernel promptly") {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    CAPTURE(seed);
    SimWorld world(make_kernel({}).engine, WorldConfig{});
    PacketTrace trace;
    auto session = open_sim_session(world, kOurPort, 0x1000, client::AttachMode::kReattach, policy(), trace.sink());
    REQUIRE(session);
    REQUIRE((*session)->read_memory(kText, 16));
    burst(world, seed);
    use_promptly(world, **session, trace);
  }
}

TEST_CASE("a burst of random datagrams between two processes: the next one regains the kept conversation promptly") {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    CAPTURE(seed);
    SimWorld world(make_kernel({}).engine, WorldConfig{});
    std::optional<client::ResumePoint> point;
    {
      auto first = open_sim_session(world, kOurPort, 0x1000, client::AttachMode::kReattach, policy());
      REQUIRE(first);
      REQUIRE((*first)->read_memory(kText, 16));
      point = (*first)->resume_point();
    }
    REQUIRE(point);
    burst(world, seed);
    PacketTrace trace;
    Time before = world.now();
    auto next = open_sim_session(world, kOurPort, point->next_key, client::AttachMode::kReattach, policy(),
                                 trace.sink(), {}, {}, point);
    INFO("last packets:\n" << trace.tail());
    REQUIRE_MESSAGE(next, (next ? "" : next.error().message()));
    CHECK(world.now() - before < kPromptly);
    use_promptly(world, **next, trace);
  }
}
