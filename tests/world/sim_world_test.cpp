// kdp-sim serving a world, as tools/demo.sh runs it:
//   kdp-sim --core DIR/world.core --kernel-version "$(cat DIR/kernel_version.txt)"
// A KDP session over loopback sees the world's UUID in KERNELVERSION, its registers, and the
// process list at the real 10.7.3 addresses.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include "kdp/net/udp_transport.h"
#include "kdp/client/session.h"
#include "tests/integration/sim_process.h"
#include "tools/fixtures/world/world.h"

using namespace kdp;
using namespace std::chrono_literals;

namespace {

uint64_t le64(const Bytes& b, size_t at = 0) {
  uint64_t v = 0;
  for (size_t i = 8; i-- > 0;) v = v << 8 | b.at(at + i);
  return v;
}

std::string kernel_version_text() {
  std::ifstream in(std::string(KDP_DEMO_WORLD) + "/kernel_version.txt");
  REQUIRE(in);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

TEST_CASE("kdp-sim serves the demo world: UUID, registers, allproc") {
  auto world = world::build_world({40, 1});  // what mkworld --procs 40 --seed 1 wrote
  REQUIRE(world.has_value());
  const world::WorldModel& m = world->model;
  std::string text = kernel_version_text();
  CHECK(text == m.kernel_version);
  testing::SimProcess sim({"--kernel-version", text});
  client::SessionOptions options;
  options.transport = net::udp_transport_factory();
  options.retry.initial_rto = 50ms;
  options.retry.max_attempts = 6;
  options.retry.deadline = 3000ms;
  auto session = client::Session::reattach("127.0.0.1:" + std::to_string(sim.endpoint().port), options);
  REQUIRE_MESSAGE(session, (session ? "" : session.error().message()));
  client::Session& s = **session;
  CHECK(s.target().kernel_version == m.kernel_version);
  CHECK(s.target().uuid == m.uuid);
  auto regs = s.read_registers();
  REQUIRE(regs);
  CHECK(regs->rip() == m.registers.rip());
  CHECK(regs->rbp() == m.registers.rbp());
  auto head = s.read_memory(0xffffff80008d9e40ULL, 8);  // allproc
  REQUIRE(head);
  uint64_t proc = le64(*head);
  CHECK(proc == m.allproc.front());
  auto bytes = s.read_memory(proc, 0x2e0);
  REQUIRE(bytes);
  const world::ProcModel* expected = m.proc_at(proc);
  REQUIRE(expected != nullptr);
  CHECK(static_cast<int32_t>(le64(*bytes, 0x10) & 0xffffffff) == expected->pid);
  CHECK(std::string(reinterpret_cast<const char*>(bytes->data() + 0x2cc)) == expected->comm);
  auto catfish = s.read_memory(0xffffff8000002000ULL, 8);
  REQUIRE(catfish);
  CHECK(std::string(catfish->begin(), catfish->end()) == "Catfish ");
  CHECK(s.disconnect());
  sim.stop();
}
