// The live back-end and the cache over a real KdpSession on the deterministic simulated network
// (tests/client/sim_world.h): MAXBYTES splitting, request counts, the session's generation
// dropping the cache after a write or a step, and a timeout that is an error, not unmapped memory.
#include <doctest/doctest.h>

#include "kgm/backtrace.h"
#include "kgm/cached_memory.h"
#include "kgm/memory_read.h"
#include "kgm/session_memory.h"
#include "tests/client/sim_fixture.h"

using namespace kdp;
using namespace kdp::kgm;
using namespace kdp::sim;

namespace {

struct Live {
  Live() : world(make_kernel({}).engine, WorldConfig{}) {
    auto opened = open_sim_session(world, 50000, 0x1000);
    REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message()));
    session = std::move(opened).value();
  }
  Bytes kernel_bytes(uint64_t address, size_t size) { return world.kernel().memory().read(address, size); }

  SimWorld world;
  std::unique_ptr<client::Session> session;
};

}  // namespace

TEST_CASE("session memory reads at most MAXBYTES per request and counts them") {
  Live live;
  SessionMemory memory(*live.session);
  CHECK(memory.max_request() == 1024);  // the stub's MAXBYTES answer
  CHECK(memory.source() == "sim:41139");
  auto bytes = memory.read(kText + 5, 3000);
  REQUIRE(bytes);
  CHECK(*bytes == live.kernel_bytes(kText + 5, 3000));
  CHECK(memory.stats().requests == 3);
  CHECK(memory.stats().bytes == 3000);

  auto hole = memory.read(kHole - 8, 16);  // the unmapped page after the text
  REQUIRE_FALSE(hole);
  CHECK(hole.error().kind() == ErrorKind::kNotFound);
  CHECK(hole.error().fault_address() == kHole);
  CHECK(hole.error().message() == "Cannot access memory at address " + hex(kHole));
}

TEST_CASE("the cache keys on the session's generation: a write or a step drops it") {
  Live live;
  SessionMemory raw(*live.session);
  CachedMemory cache(raw, [&] { return live.session->generation(); });
  REQUIRE(cache.read(kData, 16));
  const uint64_t sent = raw.stats().requests;
  REQUIRE(cache.read(kData + 4, 8));
  CHECK(raw.stats().requests == sent);  // a hit

  const uint64_t before_write = live.session->generation();
  const Bytes changed = {0xde, 0xad, 0xbe, 0xef};
  REQUIRE(live.session->write_memory(kData + 4, changed));
  CHECK(live.session->generation() != before_write);
  auto after = cache.read(kData + 4, 4);
  REQUIRE(after);
  CHECK(*after == changed);  // not the stale cached bytes
  CHECK(raw.stats().requests == sent + 1);

  const uint64_t before_step = live.session->generation();
  REQUIRE(live.session->single_step(std::chrono::seconds(10)));
  CHECK(live.session->generation() != before_step);
  const uint64_t stepped = live.session->generation();
  REQUIRE(live.session->read_registers());  // reads do not move it
  REQUIRE(live.session->read_memory(kText, 8));
  CHECK(live.session->generation() == stepped);
}

TEST_CASE("a timeout is an error with its kind, and the backtrace says the walk failed") {
  Live live;
  client::Session& session = *live.session;
  SessionMemory memory(session);
  // Everything after the handshake is lost: reads time out (in virtual time).
  live.world.drop_if([](const Datagram&, Endpoint) { return true; });
  auto read = memory.read(kData, 8);
  REQUIRE_FALSE(read);
  CHECK(read.error().kind() == ErrorKind::kTimeout);
  CHECK(read.error().fault_address() == kData);
  CHECK_FALSE(is_unmapped(read.error()));

  Backtrace bt = walk_frames(kText + 0x100, kData, memory, nullptr);
  CHECK(bt.stop == StopReason::kReadFailed);
  REQUIRE(bt.error);
  CHECK(bt.error->kind() == ErrorKind::kTimeout);
  CHECK(render_backtrace(bt).find("Backtrace stopped") == std::string::npos);
}
