// The replay builder and kgm::ReplayMemory: memory from chunked, reordered, retransmitted and
// duplicated reads; gaps are errors naming the range; short reads reproduce the kernel's fault.
#include <doctest/doctest.h>

#include "kdp/pcap/replay.h"
#include "kgm/replay_memory.h"
#include "tests/pcap/session_bytes.h"

using namespace kdp;
using namespace kdp::test;

namespace {

constexpr uint64_t kBase = 0xffffff8000200000;

std::shared_ptr<const kdp::pcap::ReplayState> replay(const kdp::pcap::Capture& capture) {
  return std::make_shared<const kdp::pcap::ReplayState>(kdp::pcap::build_replay(capture, kdp::pcap::pair_exchanges(capture)));
}

}  // namespace

TEST_CASE("memory from reads in any chunking and order, with retransmissions and duplicates") {
  CaptureBuilder b;
  // [base+100, base+300) read as 200 bytes; [base, base+100) as 64 + 36, answered out of order.
  b.to_target(readmem64(1, kBase + 100, 200), 0)
      .to_target(readmem64(1, kBase + 100, 200), 10)  // retransmission
      .from_target(readmem64_reply(1, pattern(kBase + 100, 200)), 20)
      .from_target(readmem64_reply(1, pattern(kBase + 100, 200)), 21)  // duplicate
      .to_target(readmem64(2, kBase + 64, 36), 30)
      .to_target(readmem64(3, kBase, 64), 31)
      .from_target(readmem64_reply(3, pattern(kBase, 64)), 40)
      .from_target(readmem64_reply(2, pattern(kBase + 64, 36)), 41);
  auto state = replay(b.capture());
  kgm::ReplayMemory memory(state);
  auto all = memory.read(kBase, 300);
  REQUIRE(all);
  CHECK(*all == pattern(kBase, 300));
  auto middle = memory.read(kBase + 60, 50);
  REQUIRE(middle);
  CHECK(*middle == pattern(kBase + 60, 50));
  CHECK(state->memory_replies == 3);
}

TEST_CASE("a read the capture does not cover names the missing range and invents nothing") {
  CaptureBuilder b;
  b.to_target(readmem64(1, kBase, 16), 0)
      .from_target(readmem64_reply(1, pattern(kBase, 16)), 1)
      .to_target(readmem64(2, kBase + 32, 16), 2)
      .from_target(readmem64_reply(2, pattern(kBase + 32, 16)), 3);
  kgm::ReplayMemory memory(replay(b.capture()));
  auto gap = memory.read(kBase + 8, 40);
  REQUIRE_FALSE(gap);
  CHECK(gap.error().kind() == ErrorKind::kNotFound);
  CHECK(gap.error().fault_address() == kBase + 16);
  CHECK(gap.error().message() ==
        "capture hand does not hold 0xffffff8000200010-0xffffff8000200020 (16 bytes): the recorded session never read them");
  // A partial read must not pretend the kernel stopped at the gap.
  CHECK_FALSE(memory.read_partial(kBase + 8, 40));
  auto tail = memory.read(kBase + 40, 16);
  REQUIRE_FALSE(tail);
  CHECK(tail.error().message().find("0xffffff8000200030-0xffffff8000200038 (8 bytes)") != std::string::npos);
}

TEST_CASE("a short reply in the capture replays as the kernel's fault") {
  CaptureBuilder b;
  b.to_target(readmem64(1, kBase, 64), 0).from_target(readmem64_reply(1, pattern(kBase, 10)), 1);
  kgm::ReplayMemory memory(replay(b.capture()));
  auto partial = memory.read_partial(kBase, 64);
  REQUIRE(partial);
  CHECK(*partial == pattern(kBase, 10));
  auto full = memory.read(kBase, 64);
  REQUIRE_FALSE(full);
  CHECK(full.error().message() == "Cannot access memory at address 0xffffff800020000a");
  CHECK(full.error().fault_address() == kBase + 10);
}

TEST_CASE("a later observation of the same bytes wins") {
  CaptureBuilder b;
  b.to_target(readmem64(1, kBase, 4), 0)
      .from_target(readmem64_reply(1, {1, 2, 3, 4}), 1)
      .to_target(readmem64(2, kBase + 2, 2), 2)
      .from_target(readmem64_reply(2, {9, 9}), 3);
  kgm::ReplayMemory memory(replay(b.capture()));
  auto bytes = memory.read(kBase, 4);
  REQUIRE(bytes);
  CHECK(*bytes == Bytes{1, 2, 9, 9});
}

TEST_CASE("registers, host info, versions and stops") {
  Bytes regs_request = kdp_header(0x07, 1, 16);
  put_le(regs_request, 0, 4);
  put_le(regs_request, 4, 4);
  Bytes regs_reply = kdp_header(0x87, 1, 12 + 168);
  put_le(regs_reply, 0, 4);
  for (uint64_t i = 0; i < 21; ++i) put_le(regs_reply, 0x1000 + i, 8);  // rax..gs
  Bytes version_reply = kdp_header(0x83, 2, 24);
  for (uint32_t v : {12u, 1u, 0u, 0u}) put_le(version_reply, v, 4);
  const Bytes hostinfo_reply = {0x82, 3, 0x14, 0, 0, 0, 0, 0, 0x0f, 0, 0, 0, 0x07, 0, 0, 0x01, 0x04, 0, 0, 0};
  Bytes kv_reply = kdp_header(0x98, 4, 8 + 5);
  append(kv_reply, Bytes{'D', 'a', 'r', 'w', 0});
  CaptureBuilder b;
  b.to_target(regs_request, 0).from_target(regs_reply, 1)
      .to_target(kdp_header(0x03, 2, 8), 2).from_target(version_reply, 3)
      .to_target(kdp_header(0x02, 3, 8), 4).from_target(hostinfo_reply, 5)
      .to_target(kdp_header(0x18, 4, 8), 6).from_target(kv_reply, 7)
      .from_target(exception_note(0), 8).from_target(exception_note(0), 9);
  auto state = replay(b.capture());
  REQUIRE(state->registers);
  CHECK(state->registers->rip() == 0x1000 + 16);
  CHECK(state->registers->rbp() == 0x1000 + 6);
  CHECK(state->version == 12u);
  CHECK(state->feature == 1u);
  REQUIRE(state->host_info);
  CHECK(state->host_info->cpus_mask == 0xf);
  CHECK(state->host_info->cpu_type == 0x01000007);
  CHECK(state->kernel_version == std::string("Darw"));
  REQUIRE(state->stops.size() == 1);
  CHECK(state->stops[0].info.exception == 6);
  CHECK(state->stops[0].number == 9);
}
