// KdpSession over the simulated network: the scenarios of issue #3 §4, each set up on purpose.
#include <doctest/doctest.h>

#include "kdp/wire/codec.h"
#include "sim_fixture.h"

using namespace kdp;
using namespace kdp::sim;
using namespace std::chrono_literals;
using client::AttachMode;
using client::Session;
using wire::Command;

namespace {

struct Sim {
  explicit Sim(KernelSpec spec = {}, WorldConfig config = {}) : Sim(make_kernel(spec), config) {}
  Sim(SimKernel kernel, WorldConfig config) : path(kernel.path), world(std::move(kernel.engine), config) {}

  std::unique_ptr<Session> open(uint16_t port = 50000, uint32_t key = 0x1000,
                                AttachMode mode = AttachMode::kReattach) {
    auto session = open_sim_session(world, port, key, mode);
    REQUIRE_MESSAGE(session, (session ? "" : session.error().message()));
    return std::move(session).value();
  }
  Bytes kernel_bytes(uint64_t address, size_t size) { return world.kernel().memory().read(address, size); }

  std::vector<uint64_t> path;
  SimWorld world;
};

WorldConfig lossy(uint64_t seed, double loss) {
  WorldConfig c;
  c.seed = seed;
  for (auto* f : {&c.to_kernel, &c.to_debuggers}) {
    f->loss = loss;
    f->dup = 0.05;
    f->reorder = 0.1;
    f->delay = 300us;
    f->jitter = 200us;
  }
  return c;
}

std::optional<wire::Header> header_of(const Bytes& bytes) {
  auto h = wire::decode_header(bytes);
  if (!h) return std::nullopt;
  return *h;
}

}  // namespace

TEST_CASE("reattach runs REATTACH, CONNECT, VERSION, HOSTINFO, KERNELVERSION, MAXBYTES") {
  Sim sim;
  std::vector<std::pair<Command, uint8_t>> seen;
  sim.world.on_kernel_delivery([&](const KernelDelivery& d) {
    if (auto h = header_of(d.datagram.bytes)) seen.emplace_back(h->command, h->seq);
  });
  auto session = sim.open();
  std::vector<std::pair<Command, uint8_t>> expected = {
      {Command::kReattach, 0}, {Command::kConnect, 0}, {Command::kVersion, 1},
      {Command::kHostInfo, 2}, {Command::kKernelVersion, 3}, {Command::kMaxBytes, 4}};
  CHECK(seen == expected);
  const client::TargetInfo& info = session->target();
  CHECK(info.host == "sim");
  CHECK(info.address == "10.0.0.2:41139");
  CHECK(info.version == 12);
  CHECK(info.kernel_breakpoints());
  CHECK(info.host_info.cpu_type == 0x01000007);
  CHECK(info.uuid == std::string(stub::kDefaultKernelUuid));
  CHECK(!info.stext);
  CHECK(info.max_bytes == 1024);
  CHECK(sim.world.kernel().connected());
}

TEST_CASE("reads and writes are split at MAXBYTES and return the kernel's bytes") {
  Sim sim;
  auto session = sim.open();
  uint64_t before = session->stats().requests;
  std::vector<uint64_t> progress;
  auto text = session->read_memory(kText + 3, 5000, [&](uint64_t done, uint64_t) { progress.push_back(done); });
  REQUIRE(text);
  CHECK(*text == sim.kernel_bytes(kText + 3, 5000));
  CHECK(session->stats().requests - before == 5);  // 4 x 1024 + 904
  CHECK(progress == std::vector<uint64_t>{1024, 2048, 3072, 4096, 5000});

  Bytes data(3000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  REQUIRE(session->write_memory(kData + 100, data));
  CHECK(sim.kernel_bytes(kData + 100, data.size()) == data);
  auto back = session->read_memory(kData + 100, data.size());
  REQUIRE(back);
  CHECK(*back == data);
}

TEST_CASE("a short read names the first unreadable address, on 10.7 and 10.9+ kernels") {
  for (bool bad_access : {false, true}) {
    CAPTURE(bad_access);
    KernelSpec spec;
    spec.bad_access_errors = bad_access;
    Sim sim(spec);
    auto session = sim.open();
    auto r = session->read_memory(kHole - 0x500, 0x800);
    REQUIRE(!r);
    CHECK(r.error().kind() == ErrorKind::kProtocol);
    std::string second_chunk = "read 0xffffff800020fb00 (2048 bytes) on sim:41139: 0xffffff8000210000 is unreadable "
                               "(KDP_READMEM64 of 1024 bytes at 0xffffff800020ff00 returned 256";
    CHECK(r.error().message().substr(0, second_chunk.size()) == second_chunk);
    CHECK((r.error().message().find("KDPERR_BAD_ACCESS") != std::string::npos) == bad_access);
    auto partial = session->read_memory_partial(kHole - 0x500, 0x800);
    REQUIRE(partial);
    CHECK(*partial == sim.kernel_bytes(kHole - 0x500, 0x500));
  }
}

TEST_CASE("registers, float state, MSRs, I/O ports, physical memory and DUMPINFO") {
  Sim sim;
  auto session = sim.open();
  auto regs = session->read_registers();
  REQUIRE(regs);
  CHECK(*regs == sim.world.kernel().registers());
  regs->regs[0] = 0x1122334455667788ULL;  // rax
  REQUIRE(session->write_registers(*regs));
  CHECK(sim.world.kernel().registers().regs[0] == 0x1122334455667788ULL);
  auto fp = session->read_float_state();
  REQUIRE(fp);
  CHECK(*fp == Bytes(wire::kFloatState64Size, 0));

  REQUIRE(session->write_msr(0xc0000102, 0xabcdef));
  auto msr = session->read_msr(0xc0000102);
  REQUIRE(msr);
  CHECK(*msr == 0xabcdef);
  REQUIRE(session->write_ioport(0x80, 2, 0xbeef));
  auto port = session->read_ioport(0x80, 2);
  REQUIRE(port);
  CHECK(*port == 0xbeef);
  CHECK(session->read_ioport(0x80, 3).error().kind() == ErrorKind::kUsage);

  auto physical = session->read_physical(kText - stub::kPhysMapBase, 64);
  REQUIRE(physical);
  CHECK(*physical == sim.kernel_bytes(kText, 64));
  auto info = session->dump_info();
  REQUIRE(info);
  CHECK(info->type == 0x105);  // KDP_DUMPINFO_DISABLE: no kdumpd server configured
}

TEST_CASE("the seq-255 hazard: a lost reply to seq 255 is recovered under seq 0") {
  Sim sim;
  auto session = sim.open();
  // The handshake used seqs 0..4; 250 one-byte reads bring the next seq to 255.
  for (int i = 0; i < 250; ++i) REQUIRE(session->read_memory(kText + i, 1));
  bool dropped = false;
  sim.world.drop_if([&](const Datagram& d, Endpoint from) {
    auto h = header_of(d.bytes);
    if (dropped || !(from == kKernel) || !h || !h->is_reply || h->seq != 255) return false;
    return dropped = true;
  });
  auto r = session->read_memory(kText + 0x40, 16);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
  CHECK(dropped);
  CHECK(*r == sim.kernel_bytes(kText + 0x40, 16));
  CHECK(session->stats().resyncs >= 1);
  auto next = session->read_memory(kText, 8);  // and the conversation goes on
  REQUIRE(next);
  CHECK(*next == sim.kernel_bytes(kText, 8));
}

TEST_CASE("the seq-255 hazard: a non-idempotent request never goes out as seq 255") {
  Sim sim;
  auto session = sim.open();
  for (int i = 0; i < 250; ++i) REQUIRE(session->read_memory(kText + i, 1));
  std::vector<std::pair<Command, uint8_t>> seen;
  sim.world.on_kernel_delivery([&](const KernelDelivery& d) {
    if (auto h = header_of(d.datagram.bytes)) seen.emplace_back(h->command, h->seq);
  });
  // Lose the reply to whatever runs as seq 255: a breakpoint set there could never be recovered.
  sim.world.drop_if([](const Datagram& d, Endpoint from) {
    auto h = header_of(d.bytes);
    return from == kKernel && h && h->is_reply && h->seq == 255;
  });
  REQUIRE(session->set_breakpoint(sim.path[3]));
  CHECK(sim.world.kernel().breakpoints().contains(sim.path[3]));
  REQUIRE(!seen.empty());
  CHECK(seen.front() == std::pair{Command::kVersion, uint8_t{255}});
  for (auto [command, seq] : seen)
    if (command == Command::kBreakpointSet64) CHECK(seq != 255);
}

TEST_CASE("forged replies from foreign sources and garbage never pass for replies") {
  WorldConfig config;
  config.forged_replies = 1.0;
  config.garbage = 1.0;
  Sim sim({}, config);
  auto session = sim.open();
  auto r = session->read_memory(kText, 4096);
  REQUIRE(r);
  CHECK(*r == sim.kernel_bytes(kText, 4096));
  auto regs = session->read_registers();
  REQUIRE(regs);
  CHECK(*regs == sim.world.kernel().registers());
  // Every request drew a forgery (where its reply shape allows one) and a garbage datagram.
  CHECK(session->stats().discarded >= session->stats().requests);
}

TEST_CASE("a target that never answers fails with a clear error within the deadline") {
  WorldConfig config;
  config.to_kernel.loss = 1.0;
  Sim sim({}, config);
  client::RetryPolicy policy = sim_policy();
  policy.max_attempts = 5;
  policy.deadline = 3000ms;
  Time started = sim.world.now();
  auto session = open_sim_session(sim.world, 50000, 1, AttachMode::kReattach, policy);
  REQUIRE(!session);
  CHECK(session.error().kind() == ErrorKind::kTimeout);
  CHECK(session.error().message().rfind("reattach sim:41139: no reply to KDP_REATTACH after 5 attempts in ", 0) == 0);
  CHECK(sim.world.now() - started <= 3000ms);
}

TEST_CASE("a second debugger reattaching mid-session takes over; the first one's requests fail") {
  Sim sim(KernelSpec{}, lossy(3, 0.1));
  auto first = sim.open(50000, 0x1000);
  REQUIRE(first->read_memory(kText, 100));
  auto second = sim.open(50001, 0x7000'0000);
  auto r = second->read_memory(kData, 2000);
  REQUIRE(r);
  CHECK(*r == sim.kernel_bytes(kData, 2000));
  // Unanswered, then our CONNECT refused: the first session names what happened, and does not
  // take the kernel back.
  auto stale = first->read_memory(kText, 8);
  REQUIRE(!stale);
  CHECK(stale.error().kind() == ErrorKind::kProtocol);
  std::string expected = "read 0xffffff8000200000 (8 bytes) on sim:41139: another debugger took the kernel away "
                         "(no reply to KDP_READMEM64 after 6 attempts in ";
  CHECK(stale.error().message().substr(0, expected.size()) == expected);
  CHECK(stale.error().message().find("then the kernel refused our KDP_CONNECT with KDPERR_ALREADY_CONNECTED)") !=
        std::string::npos);
  auto after = second->read_registers();
  REQUIRE(after);
  CHECK(*after == sim.world.kernel().registers());
}

TEST_CASE("plain connect to a kernel another debugger holds is refused by name") {
  Sim sim;
  auto holder = sim.open(50000);
  auto intruder = open_sim_session(sim.world, 50001, 0x9000, AttachMode::kConnect);
  REQUIRE(!intruder);
  CHECK(intruder.error().message() ==
        "connect sim:41139: KDP_CONNECT refused: KDPERR_ALREADY_CONNECTED (another debugger holds the "
        "kernel; reattach takes it over)");
  CHECK(holder->read_memory(kText, 4));
}

TEST_CASE("late replies from the previous session on the same port are ignored") {
  WorldConfig config;
  for (auto* f : {&config.to_debuggers}) {
    f->dup = 1.0;       // every reply arrives twice ...
    f->reorder = 0.5;   // ... and half of the copies 20 ms late
    f->delay = 100us;
  }
  Sim sim({}, config);
  auto old_session = sim.open(50000, 0x1000);
  for (int i = 0; i < 20; ++i) REQUIRE(old_session->read_memory(kText + 64 * i, 64));
  old_session.reset();  // the CLI exits; its late replies are still in flight
  auto session = sim.open(50000, 0x2000'0000);
  uint64_t discarded_after_handshake = session->stats().discarded;
  CHECK(discarded_after_handshake > 0);
  for (int i = 0; i < 20; ++i) {
    auto r = session->read_memory(kData + 32 * i, 32);
    REQUIRE(r);
    CHECK(*r == sim.kernel_bytes(kData + 32 * i, 32));
  }
}

TEST_CASE("a breakpoint is hit, its exception acked, RIP rewound, and continue hits it again") {
  for (bool kernel_managed : {true, false}) {
    CAPTURE(kernel_managed);
    KernelSpec spec;
    spec.kernel_breakpoints = kernel_managed;
    Sim sim(spec, lossy(9, 0.15));
    auto session = sim.open();
    uint64_t bp = sim.path[5];
    uint8_t original = sim.kernel_bytes(bp, 1)[0];
    REQUIRE(session->set_breakpoint(bp));
    CHECK(sim.kernel_bytes(bp, 1)[0] == 0xcc);
    CHECK(sim.world.kernel().breakpoints().contains(bp) == kernel_managed);
    for (int round = 0; round < 3; ++round) {
      auto stop = session->resume_and_wait(10s);
      REQUIRE_MESSAGE(stop, (stop ? "" : stop.error().message()));
      CHECK(stop->breakpoint_hit);
      CHECK(stop->rip == bp);
      CHECK(stop->description() == "EXC_BREAKPOINT (code EXC_I386_BPTFLT 3, subcode 0x0)");
      CHECK(sim.world.kernel().registers().rip() == bp);
      CHECK(!sim.world.kernel().awaiting_ack());
      CHECK(!session->running());
    }
    CHECK(session->stats().exceptions == 5);  // 3 hits + 2 single steps over the breakpoint
    CHECK(sim.world.kernel().stats().acks >= 5);
    REQUIRE(session->remove_breakpoint(bp));
    CHECK(sim.kernel_bytes(bp, 1)[0] == original);
    CHECK(session->breakpoints().empty());
  }
}

TEST_CASE("lost exception acks: the kernel resends, the client acks again, one stop is reported") {
  Sim sim;
  auto session = sim.open();
  int acks_dropped = 0;
  sim.world.drop_if([&](const Datagram& d, Endpoint from) {
    auto h = header_of(d.bytes);
    if (!(from == kKernel) && h && h->is_reply && h->command == Command::kException && acks_dropped < 3) {
      ++acks_dropped;
      return true;
    }
    return false;
  });
  REQUIRE(session->set_breakpoint(sim.path[2]));
  auto stop = session->resume_and_wait(10s);
  REQUIRE(stop);
  CHECK(stop->rip == sim.path[2]);
  CHECK(acks_dropped == 3);
  CHECK(session->stats().exceptions == 1);
  CHECK(session->stats().acks == 4);
  CHECK(sim.world.kernel().stats().exception_retransmits == 3);
}

TEST_CASE("single step moves one path element and leaves the trap flag clear") {
  Sim sim(KernelSpec{}, lossy(5, 0.1));
  auto session = sim.open();
  for (size_t i = 1; i <= 4; ++i) {
    auto stop = session->single_step(5s);
    REQUIRE_MESSAGE(stop, (stop ? "" : stop.error().message()));
    CHECK(stop->rip == sim.path[i]);
    CHECK(!stop->breakpoint_hit);
    CHECK(sim.world.kernel().registers().rip() == sim.path[i]);
    CHECK((sim.world.kernel().registers().rflags() & wire::X86ThreadState64::kTrapFlag) == 0);
  }
}

TEST_CASE("continuing from a breakpoint steps over it first") {
  KernelSpec spec;
  spec.stop_after = 5ms;  // no other breakpoint: the kernel stops again by itself
  Sim sim(spec);
  auto session = sim.open();
  REQUIRE(session->set_breakpoint(sim.path[1]));
  auto hit = session->resume_and_wait(5s);
  REQUIRE(hit);
  CHECK(hit->rip == sim.path[1]);
  auto next = session->resume_and_wait(5s);
  REQUIRE(next);
  CHECK(!next->breakpoint_hit);  // it did not trap on the int3 at RIP again
  CHECK(next->rip != sim.path[1]);
  CHECK(sim.kernel_bytes(sim.path[1], 1)[0] == 0xcc);  // re-inserted after the step
}

TEST_CASE("continue without a stop times out, the session knows the kernel runs, wait_for_stop finds it") {
  KernelSpec spec;
  spec.stop_after = 2000ms;
  Sim sim(spec);
  auto session = sim.open();
  auto stop = session->resume_and_wait(500ms);
  REQUIRE(!stop);
  CHECK(stop.error().kind() == ErrorKind::kTimeout);
  CHECK(stop.error().message() == "continue sim:41139: no stop within 500 ms (the kernel is still running)");
  CHECK(session->running());
  CHECK(session->read_memory(kText, 4).error().kind() == ErrorKind::kUsage);
  auto later = session->wait_for_stop(5000ms);
  REQUIRE(later);
  CHECK(!session->running());
  CHECK(later->rip == sim.world.kernel().registers().rip());
  CHECK(session->read_memory(kText, 4));
}

TEST_CASE("memory breakpoints: 0xCC already there is refused, adopt takes it back") {
  KernelSpec spec;
  spec.kernel_breakpoints = false;
  Sim sim(spec);
  uint64_t bp = sim.path[4];
  uint8_t original = sim.kernel_bytes(bp, 1)[0];
  {
    auto first = sim.open(50000, 0x100);
    REQUIRE(first->set_breakpoint(bp));
    CHECK(first->breakpoints().size() == 1);
  }  // the CLI exits: its 0xCC stays in memory
  auto session = sim.open(50001, 0x200000);
  auto again = session->set_breakpoint(bp);
  REQUIRE(!again);
  CHECK(again.error().message().find("already 0xCC") != std::string::npos);
  REQUIRE(session->adopt_breakpoint(bp, original));
  auto stop = session->resume_and_wait(5s);
  REQUIRE(stop);
  CHECK(stop->breakpoint_hit);
  REQUIRE(session->remove_breakpoint(bp));
  CHECK(sim.kernel_bytes(bp, 1)[0] == original);
}

TEST_CASE("disconnect lets the kernel run; reboot restarts it; a closed session refuses work") {
  Sim sim;
  auto session = sim.open();
  REQUIRE(session->disconnect());
  CHECK(!sim.world.kernel().connected());
  CHECK(sim.world.kernel().running());
  CHECK(session->read_memory(kText, 1).error().kind() == ErrorKind::kUsage);

  Sim other;
  auto s2 = other.open();
  REQUIRE(s2->reboot());  // it asks the restarting (deaf) machine until it is sure
  CHECK(other.world.kernel().stats().reboots == 1);
  CHECK(other.world.kernel().booting());
}

TEST_CASE("a kernel that ignores KDP_MAXBYTES gets the protocol's 1024 bytes, noted once") {
  Sim sim;
  sim.world.drop_if([](const Datagram& d, Endpoint from) {
    auto h = header_of(d.bytes);
    return !(from == kKernel) && h && !h->is_reply && h->command == Command::kMaxBytes;
  });
  std::vector<std::string> log;
  auto session = open_sim_session(sim.world, 50000, 0x1000, AttachMode::kReattach, sim_policy(),
                                  [&](std::string_view line) { log.emplace_back(line); });
  REQUIRE_MESSAGE(session, (session ? "" : session.error().message()));
  CHECK((*session)->target().max_bytes == 1024);
  CHECK(std::count(log.begin(), log.end(),
                   "   no reply to KDP_MAXBYTES: using the protocol's default of 1024 bytes") == 1);
  auto r = (*session)->read_memory(kText, 3000);
  REQUIRE(r);
  CHECK(*r == sim.kernel_bytes(kText, 3000));
}

TEST_CASE("the error names the request that went unanswered last, not the first step") {
  Sim sim;
  sim.world.drop_if([](const Datagram& d, Endpoint from) {
    auto h = header_of(d.bytes);
    return !(from == kKernel) && h && !h->is_reply && h->command == Command::kHostInfo;
  });
  auto session = open_sim_session(sim.world, 50000, 0x1000);
  REQUIRE(!session);
  CHECK(session.error().kind() == ErrorKind::kTimeout);
  std::string expected = "reattach sim:41139: no reply to KDP_HOSTINFO after 6 attempts in ";
  CHECK(session.error().message().substr(0, expected.size()) == expected);
  CHECK(session.error().message().find("(the kernel answers KDP_CONNECT but not KDP_HOSTINFO)") != std::string::npos);
}

TEST_CASE("a stale CONNECT of the previous process between our REATTACH and CONNECT: reattach again") {
  WorldConfig config;
  for (auto* f : {&config.to_kernel, &config.to_debuggers}) f->delay = 300us;
  Sim sim({}, config);
  Bytes previous_connect;
  sim.world.on_kernel_delivery([&](const KernelDelivery& d) {
    auto h = header_of(d.datagram.bytes);
    if (h && h->command == Command::kConnect && d.datagram.peer.port == 50000) previous_connect = d.datagram.bytes;
  });
  { auto previous = sim.open(50000, 0x1000); }  // the previous kdpctl process, gone
  REQUIRE(!previous_connect.empty());
  // Its held-back duplicate CONNECT reaches the kernel right after the new process's REATTACH:
  // the kernel connects to the dead port and, as our CONNECT has the same seq 0 (= E-1),
  // replays the reply there.
  int reattaches = 0, stale_connects = 0;
  sim.world.on_kernel_delivery([&](const KernelDelivery& d) {
    auto h = header_of(d.datagram.bytes);
    if (!h) return;
    if (h->command == Command::kConnect && d.datagram.peer.port == 50000 && d.executed) ++stale_connects;
    if (h->command == Command::kReattach && d.datagram.peer.port == 50001 && ++reattaches == 1)
      sim.world.inject(Endpoint{kDebuggerIp, 50000}, kKernel, previous_connect, 0us);
  });
  auto session = sim.open(50001, 0x5000'0000);
  CHECK(stale_connects == 1);
  CHECK(reattaches >= 2);  // the first round was lost to the stale CONNECT
  auto r = session->read_memory(kData, 64);
  REQUIRE(r);
  CHECK(*r == sim.kernel_bytes(kData, 64));
}

TEST_CASE("a kernel reset by a delayed duplicate of our REATTACH is regained with our own CONNECT") {
  Sim sim;
  Bytes our_reattach;
  sim.world.on_kernel_delivery([&](const KernelDelivery& d) {
    auto h = header_of(d.datagram.bytes);
    if (h && h->command == Command::kReattach) our_reattach = d.datagram.bytes;
  });
  auto session = sim.open();
  REQUIRE(session->set_breakpoint(sim.path[3]));
  REQUIRE(sim.world.kernel().breakpoints().contains(sim.path[3]));
  sim.world.inject(Endpoint{kDebuggerIp, 50000}, kKernel, our_reattach, 0us);  // arrives late
  sim.world.advance(1ms);
  CHECK(!sim.world.kernel().connected());
  CHECK(!sim.world.kernel().breakpoints().contains(sim.path[3]));  // REATTACH dropped it
  auto r = session->read_memory(kText, 32);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
  CHECK(*r == sim.kernel_bytes(kText, 32));
  CHECK(session->stats().recoveries == 1);
  CHECK(sim.world.kernel().connected());
  CHECK(sim.world.kernel().breakpoints().contains(sim.path[3]));  // set again by the session
  auto stop = session->resume_and_wait(5s);
  REQUIRE(stop);
  CHECK(stop->breakpoint_hit);
  CHECK(stop->rip == sim.path[3]);
}
