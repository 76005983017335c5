// Sessions against a stub with LLDBagility's kdpserver.py quirks (stub::kLldbagilityQuirks: no
// MAXBYTES, no sequence check, REATTACH ignored while connected): the conversation is kept even
// though MAXBYTES went unanswered, the next process goes on with it, and a later takeover from its
// port goes on with the conversation's CONNECT when the REATTACH is ignored, saying why.
#include <doctest/doctest.h>

#include "sim_fixture.h"

using namespace kdp;
using namespace kdp::sim;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t kPort = 50000;

SimKernel lldbagility_kernel() {
  SimKernel kernel = make_kernel({});
  stub::TargetConfig config = kernel.engine.config();
  config.quirks = stub::kLldbagilityQuirks;
  stub::StubEngine engine(config, kernel.engine.memory(), kernel.engine.registers());
  return SimKernel{std::move(engine), kernel.path};
}

client::RetryPolicy policy() {
  client::RetryPolicy p = sim_policy();
  p.deadline = 10000ms;
  return p;
}

// A process attaches and ends: where it left the conversation.
std::optional<client::ResumePoint> conversation_left_by_a_process(SimWorld& world) {
  auto first = open_sim_session(world, kPort, 0x1000, client::AttachMode::kReattach, policy());
  REQUIRE(first);
  return (*first)->resume_point();
}

Expected<std::unique_ptr<client::Session>> take_over(SimWorld& world, const client::ResumePoint& point,
                                                     std::function<void(std::string_view)> trace) {
  client::SessionOptions options;
  options.retry = policy();
  options.packet_log = std::move(trace);
  options.resume = point;
  options.take_over = true;
  client::SessionSetup setup{"sim", kKernel, std::move(options), point.next_key};
  return client::open_session(world.attach(point.local_port), std::move(setup), client::AttachMode::kReattach);
}

}  // namespace

TEST_CASE("lldbagility stub: reattach gets 1024-byte reads and keeps the conversation for the next process") {
  SimWorld world(lldbagility_kernel().engine, WorldConfig{});
  PacketTrace trace;
  std::optional<client::ResumePoint> point;
  {
    auto first = open_sim_session(world, kPort, 0x1000, client::AttachMode::kReattach, policy(), trace.sink());
    REQUIRE_MESSAGE(first, (first ? "" : first.error().message()));
    CHECK((*first)->target().max_bytes == 1024);
    CHECK(trace.mentions("no reply to KDP_MAXBYTES: using the protocol's default of 1024 bytes"));
    point = (*first)->resume_point();
  }
  REQUIRE(point);  // was: none, so the next process reattached, and the stub ignored it
  const Time before = world.now();
  auto next = open_sim_session(world, kPort, point->next_key, client::AttachMode::kReattach, policy(), {}, {}, {},
                               point);
  REQUIRE_MESSAGE(next, (next ? "" : next.error().message()));
  CHECK((*next)->resumed());
  CHECK(world.now() - before < 1s);
  auto bytes = (*next)->read_memory(kText, 2048);
  REQUIRE(bytes);
  CHECK(*bytes == world.kernel().memory().read(kText, 2048));
}

TEST_CASE("lldbagility stub: a takeover from the conversation's port goes on with its CONNECT, and says why") {
  SimWorld world(lldbagility_kernel().engine, WorldConfig{});
  const std::optional<client::ResumePoint> point = conversation_left_by_a_process(world);
  REQUIRE(point);
  PacketTrace trace;
  const Time before = world.now();
  auto session = take_over(world, *point, trace.sink());
  REQUIRE_MESSAGE(session, (session ? "" : session.error().message()));
  CHECK(world.now() - before < 3s);  // not after the whole 10 s of REATTACH
  CHECK(trace.mentions("ignored KDP_REATTACH while connected"));
  CHECK(trace.mentions("LLDBagility"));
  auto regs = (*session)->read_registers();
  REQUIRE(regs);
  CHECK(regs->rip() == world.kernel().registers().rip());
}

TEST_CASE("xnu: a takeover from the conversation's port is a fresh REATTACH, the conversation is not used") {
  SimWorld world(make_kernel({}).engine, WorldConfig{});
  const std::optional<client::ResumePoint> point = conversation_left_by_a_process(world);
  REQUIRE(point);
  PacketTrace trace;
  auto session = take_over(world, *point, trace.sink());
  REQUIRE(session);
  CHECK(!(*session)->resumed());
  CHECK(!trace.mentions("trying the last session's KDP_CONNECT"));
}
