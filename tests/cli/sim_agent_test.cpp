// The session agent's held session in-process over the deterministic simulated network: int3s
// written into a kernel without kernel-managed breakpoints never outlive a killed agent (crash
// consistency at every request), and the memory cache an earlier command filled is served only
// after one request proved the kernel stayed where it was.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>

#include "cli/agent/held_session.h"
#include "cli/core/int3_journal.h"
#include "kdp/client/kdp_session.h"
#include "tests/cli/agent_cli.h"
#include "tests/cli/sim_cli_support.h"

using namespace kdp;
using namespace kdp::cli::test;

namespace {

constexpr uint16_t kAgentPorts = 50000;  // the agent's sessions (or the killed direct commands')
constexpr uint16_t kLaterPorts = 60000;  // the commands after the crash, another debugger

bool on_agent_side(const Datagram& d, Endpoint from) {
  const auto agents = [](uint16_t port) { return port >= kAgentPorts && port < kLaterPorts; };
  return from == sim::kKernel ? agents(d.peer.port) : agents(from.port);
}

// kdp-sim --no-bp-feature --stop-after 2000: int3s are the debugger's own writes, and every
// resume ends in a stop two seconds later if nothing else stops the kernel first.
stub::StubEngine kernel_without_breakpoints() {
  return demo_kernel([](stub::TargetConfig& target, stub::ExecutionScript& script) {
    target.feature = 0;
    script.stop_after_resume = std::chrono::seconds(2);
  });
}

std::string hex_text(uint64_t v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(v));
  return buffer;
}

std::vector<std::string> journal_lines(const std::string& state) {
  std::ifstream in(cli::int3_journal_path(state));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("int3 ", 0) == 0) lines.push_back(line);
  return lines;
}

enum class Mode { kAgent, kDirect };

// Files as they were the instant the process died.
struct DiskAtDeath {
  std::vector<std::string> paths;
  std::vector<std::optional<std::string>> contents;
  void take() {
    contents.clear();
    for (const std::string& path : paths) {
      std::ifstream in(path, std::ios::binary);
      contents.push_back(in ? std::optional<std::string>(std::string((std::istreambuf_iterator<char>(in)), {}))
                            : std::nullopt);
    }
  }
  void put_back() const {
    for (size_t i = 0; i < paths.size() && i < contents.size(); ++i) {
      if (contents[i])
        std::ofstream(paths[i], std::ios::binary | std::ios::trunc) << *contents[i];
      else
        std::remove(paths[i].c_str());
    }
  }
};

// break, continue (hit), continue (step over, hit again), delete, continue (the int3 comes out
// first), break, detach; the agent (or the direct command running) is killed after its
// `kill_after`th datagram to the kernel: nothing it sends or would receive later arrives, and
// it never gets to clean up (the files are put back as they were at that instant). Then a later command (direct, from another port) runs `detach`.
struct CrashRun {
  uint64_t sent = 0;    // datagrams the killed side sent before it died (all, when it did not)
  bool killed = false;
  int detach_exit = -1;
  uint8_t byte_after = 0;  // the byte at the breakpoint in kernel memory at the end
  std::vector<std::string> journal_after;
  std::string log;
};

CrashRun crash_at(Mode mode, uint64_t kill_after, uint64_t address) {
  CrashRun run;
  sim::SimWorld world(kernel_without_breakpoints(), sim::WorldConfig{});
  std::atomic<bool> dead{false};
  TempDir dir;
  const std::string state = dir.file("state");
  DiskAtDeath disk{{state, cli::int3_journal_path(state)}, {}};
  world.drop_if([&](const Datagram& d, Endpoint from) {
    if (!on_agent_side(d, from)) return false;
    if (!dead && !(from == sim::kKernel) && ++run.sent > kill_after) {
      dead = true;
      disk.take();
    }
    return dead.load();
  });
  {
    SimSessionProvider sessions(world, 1, kAgentPorts);
    auto held = std::make_unique<cli::agent::HeldSessionProvider>("kernel", sessions, &dead);
    cli::CliContext context = in_process_context(&sessions, &dead);
    if (mode == Mode::kAgent) context.sessions = held.get();
    const std::vector<std::vector<std::string>> commands = {
        {"reattach", "kernel", "--retries", "40", "--timeout", "30"},
        {"break", hex_text(address)}, {"continue"}, {"continue"}, {"delete"}, {"continue"},
        {"break", hex_text(address)}, {"detach"}};
    for (const auto& args : commands) {
      if (dead) break;
      ProcessResult r = run_in_process(context, state, args);
      run.log += "kdpctl " + args.front() + ": exit " + std::to_string(r.exit_code) + "\n" + r.out + r.err;
      held->after_command(r.exit_code);
      held->poll_stop(std::chrono::milliseconds(0));
    }
    run.killed = dead;
    held.reset();  // killed: no release(), no goodbye
  }
  // Interrupted rather than killed, the command ran its error paths (which write the state file);
  // a kill -9 leaves the files as they were at that instant.
  if (run.killed) disk.put_back();
  // A later process may bind a port the dead one used (direct mode goes on with its conversation).
  // The later provider takes the kernel's log before the world runs on: the killed one is gone.
  SimSessionProvider later(world, 2, kLaterPorts);
  world.drop_if({});
  world.advance(std::chrono::seconds(10));
  cli::CliContext context = in_process_context(&later, world.exhaustion_flag());
  ProcessResult detach = run_in_process(context, state, {"--target", "kernel", "detach"});
  run.log += "later kdpctl detach: exit " + std::to_string(detach.exit_code) + "\n" + detach.out + detach.err;
  run.detach_exit = detach.exit_code;
  run.byte_after = world.kernel().memory().read(address, 1).at(0);
  run.journal_after = journal_lines(state);
  return run;
}

void check_crash_consistency(Mode mode) {
  const std::vector<uint64_t> path = demo_path();
  REQUIRE(path.size() > 2);
  const uint64_t address = path[1];  // the CPU walks through it after every resume
  const uint8_t original = demo_kernel().memory().read(address, 1).at(0);
  REQUIRE(original != 0xcc);
  const CrashRun whole = crash_at(mode, UINT64_MAX, address);
  INFO(whole.log);
  REQUIRE_FALSE(whole.killed);
  REQUIRE(whole.log.find("Breakpoint 1, ") != std::string::npos);
  REQUIRE(whole.sent > 20);
  for (uint64_t n = 0; n <= whole.sent; ++n) {
    const CrashRun run = crash_at(mode, n, address);
    INFO("killed after datagram " << n << " of " << whole.sent << "\n" << run.log);
    CHECK(run.byte_after == original);
    CHECK(run.detach_exit == 0);
    CHECK(run.journal_after.empty());
  }
}

}  // namespace

TEST_CASE("a killed agent's int3s are restored by the next command, whatever request it died after") {
  check_crash_consistency(Mode::kAgent);
}

TEST_CASE("a killed direct kdpctl's int3s are restored by the next command, whatever request it died after") {
  check_crash_consistency(Mode::kDirect);
}

namespace {

constexpr const char* kData = "0xffffff8000200000";

// An agent's held session (what agent_server.cpp does around each command) over a lossless world.
struct HeldRig {
  explicit HeldRig(stub::StubEngine kernel)
      : world(std::move(kernel), sim::WorldConfig{}),
        state(dir.file("state")),
        sessions(world, 1, kAgentPorts),
        held("kernel", sessions, world.exhaustion_flag()),
        context(in_process_context(&held, world.exhaustion_flag())) {}

  ProcessResult run(const std::vector<std::string>& args) {
    ProcessResult r = run_in_process(context, state, args);
    held.after_command(r.exit_code);
    held.poll_stop(std::chrono::milliseconds(0));
    return r;
  }

  sim::SimWorld world;
  TempDir dir;
  std::string state;
  SimSessionProvider sessions;
  cli::agent::HeldSessionProvider held;
  cli::CliContext context;
};


size_t lines_with(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Another debugger takes the kernel (REATTACH), writes `byte` over kData, lets it run until it
// stops by itself, and keeps it or lets go.
void another_debugger_moves_the_kernel(sim::SimWorld& world, uint8_t byte, bool lets_go) {
  SimSessionProvider other(world, 3, kLaterPorts);
  auto session = other.open("kernel", cli::AttachKind::kReattach, client::SessionOptions{});
  REQUIRE(session);
  REQUIRE((*session)->write_memory(0xffffff8000200000, Bytes(16, byte)));
  REQUIRE((*session)->resume_and_wait(std::chrono::seconds(10)));
  if (lets_go) {
    REQUIRE((*session)->disconnect());
    world.advance(std::chrono::seconds(5));  // stopped again by itself, nobody attached
  }
}

}  // namespace

TEST_CASE("agent: a read served from an earlier command's cache costs one request that proves the kernel stayed") {
  HeldRig rig(kernel_without_breakpoints());
  REQUIRE(rig.run({"reattach", "kernel"}).exit_code == 0);
  const ProcessResult first = rig.run({"-v", "x/4gx", kData});
  REQUIRE(first.exit_code == 0);
  CHECK(request_count(first.err).requests >= 1);
  const ProcessResult second = rig.run({"-v", "x/4gx", kData});
  INFO(second.err);
  CHECK(second.exit_code == 0);
  CHECK(second.out == first.out);
  const RequestCount count = request_count(second.err);
  REQUIRE(count.found);
  CHECK(count.requests == 1);
  CHECK(count.hits >= 1);
  CHECK(lines_with(second.err, "--> KDP_READREGS") == 1);
  CHECK(lines_with(second.err, "--> KDP_READMEM") == 0);
}

TEST_CASE("agent: after another debugger resumed the kernel and changed its memory, no cached byte is served") {
  for (bool lets_go : {false, true}) {
    INFO("the other debugger " << (lets_go ? "let the kernel go and it stopped again" : "still holds the kernel"));
    HeldRig rig(kernel_without_breakpoints());
    REQUIRE(rig.run({"reattach", "kernel"}).exit_code == 0);
    const ProcessResult before = rig.run({"x/2gx", kData});
    REQUIRE(before.exit_code == 0);
    REQUIRE(before.out.find("0x5a5a5a5a5a5a5a5a") == std::string::npos);
    another_debugger_moves_the_kernel(rig.world, 0x5a, lets_go);
    const ProcessResult after = rig.run({"-v", "x/2gx", kData});
    INFO("after: exit " << after.exit_code << "\n" << after.out << after.err);
    CHECK(after.out != before.out);
    CHECK((after.exit_code != 0 || after.out.find("0x5a5a5a5a5a5a5a5a") != std::string::npos));
  }
}

TEST_CASE("agent: reattach through a held session takes the kernel over anew; no cached byte outlives it") {
  HeldRig rig(kernel_without_breakpoints());
  REQUIRE(rig.run({"reattach", "kernel"}).exit_code == 0);
  REQUIRE(rig.run({"x/2gx", kData}).exit_code == 0);
  const ProcessResult again = rig.run({"-v", "reattach", "kernel"});
  CHECK(again.exit_code == 0);
  CHECK(lines_with(again.err, "--> KDP_REATTACH") >= 1);
  CHECK(lines_with(again.err, "--> KDP_CONNECT") >= 1);
  const ProcessResult read = rig.run({"-v", "x/2gx", kData});
  CHECK(read.exit_code == 0);
  CHECK(lines_with(read.err, "--> KDP_READMEM") >= 1);
  CHECK(request_count(read.err).hits == 0);
}
