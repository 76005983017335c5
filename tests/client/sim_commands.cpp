#include "sim_commands.h"

#include <cstdio>
#include <deque>
#include <map>
#include <random>
#include <set>

#include "kdp/wire/codec.h"
#include "sim_fixture.h"

namespace kdp::sim {
namespace {

using namespace std::chrono_literals;

constexpr size_t kPacketsKept = 40;
constexpr std::chrono::milliseconds kRetakeWindow{2000};

Error wrong(std::string what) { return Error(ErrorKind::kProtocol, "WRONG RESULT: " + std::move(what)); }

class Commands {
 public:
  Commands(uint64_t seed, bool verbose);
  CommandsReport run();

 private:
  WorldConfig random_network();
  void note(std::string line);
  Status command(uint64_t index);
  Status examine(client::Session& s);
  Status registers(client::Session& s);
  Status write(client::Session& s);
  Status cont(client::Session& s);
  Status step(client::Session& s);
  Status leftovers();
  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  Bytes kernel_bytes(uint64_t address, size_t size) { return world_->kernel().memory().read(address, size); }

  uint64_t seed_;
  bool verbose_;
  std::mt19937_64 rng_;
  std::vector<uint64_t> path_;
  std::map<uint64_t, uint8_t> originals_;
  std::unique_ptr<SimWorld> world_;
  uint16_t port_ = 40000;
  uint32_t key_base_ = 0;
  std::deque<std::string> packets_;
  std::set<uint64_t> stale_int3s_;
  std::optional<std::chrono::nanoseconds> remembered_rtt_;  // as kdpctl's state file keeps it  // set by stale requests of earlier commands
  CommandsReport report_;
};

Commands::Commands(uint64_t seed, bool verbose) : seed_(seed), verbose_(verbose), rng_(seed) {
  KernelSpec spec;
  spec.memory_seed = rng_();
  spec.path_seed = rng_();
  spec.kernel_breakpoints = below(4) != 0;
  spec.path_length = 12 + below(20);
  spec.step = std::chrono::microseconds(200 + below(1800));
  spec.stop_after = 2 * spec.step + std::chrono::microseconds(1000 + below(20000));
  SimKernel kernel = make_kernel(spec);
  path_ = kernel.path;
  for (uint64_t a : path_) originals_[a] = kernel.engine.memory().byte_at(a).value_or(0);
  world_ = std::make_unique<SimWorld>(std::move(kernel.engine), random_network());
  world_->on_kernel_delivery([this](const KernelDelivery& d) {
    auto h = wire::decode_header(d.datagram.bytes);
    if (!h) return;
    note("kernel " + std::string(d.executed ? "ran " : "got ") + to_string(d.datagram.peer) + " " +
         wire::describe_datagram(d.datagram.bytes));
    if (!d.executed || d.datagram.peer.port == port_) return;
    bool handshake = h->command == wire::Command::kReattach || h->command == wire::Command::kConnect;
    if (handshake) ++report_.stale_handshakes;
    // KDP cannot keep a delayed request of an earlier process out when its seq happens to be the
    // one the kernel expects (the kernel checks neither key nor port): a stale breakpoint then
    // appears in the kernel. That is the kernel's truth, and the oracle follows it.
    auto packet = wire::decode(d.datagram.bytes);
    auto* bp = packet ? std::get_if<wire::BreakpointRequest>(&packet->body) : nullptr;
    if (bp && h->command == wire::Command::kBreakpointSet64) {
      stale_int3s_.insert(bp->address);
      ++report_.stale_requests;
      note("(a stale KDP_BREAKPOINT64_SET of an earlier command ran)");
    }
    // Likewise an int3 (or the byte under one) that an earlier command wrote itself.
    auto* write = packet ? std::get_if<wire::MemWriteRequest>(&packet->body) : nullptr;
    if (write && originals_.count(write->address) != 0) {
      stale_int3s_.insert(write->address);
      ++report_.stale_requests;
      note("(a stale KDP_WRITEMEM64 of an earlier command ran on a breakpoint address)");
    }
  });
}

WorldConfig Commands::random_network() {
  WorldConfig c;
  c.seed = rng_();
  double loss = below(4) == 0 ? 0.0 : uniform() * 0.3;
  for (auto* f : {&c.to_kernel, &c.to_debuggers}) {
    f->loss = loss;
    f->dup = uniform() * 0.15;
    f->reorder = uniform() * 0.2;
    f->delay = std::chrono::microseconds(20 + below(2000));
    f->jitter = std::chrono::microseconds(below(500));
    f->reorder_delay = std::chrono::microseconds(500 + below(20000));
  }
  return c;
}

void Commands::note(std::string line) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%9.3f ms] ", std::chrono::duration<double, std::milli>(world_->now()).count());
  line = stamp + line;
  if (verbose_) std::printf("%s\n", line.c_str());
  packets_.push_back(std::move(line));
  if (packets_.size() > kPacketsKept) packets_.pop_front();
}

Status Commands::examine(client::Session& s) {
  uint64_t size = 1 + below(below(2) ? 64 : 3000);
  uint64_t address = kText + below(kTextSize - size);
  note("x " + hex(address) + " +" + std::to_string(size));
  KDP_TRY(Bytes bytes, s.read_memory(address, size));
  if (bytes != kernel_bytes(address, size)) return wrong("read " + hex(address) + " returned other bytes");
  return {};
}

Status Commands::registers(client::Session& s) {
  note("regs");
  KDP_TRY(auto regs, s.read_registers());
  if (regs != world_->kernel().registers()) return wrong("registers differ from the kernel's");
  return {};
}

Status Commands::write(client::Session& s) {
  uint64_t size = 1 + below(200);
  uint64_t address = kData + below(kDataSize - size);
  Bytes data(size);
  for (auto& b : data) b = static_cast<uint8_t>(rng_());
  note("write " + hex(address) + " +" + std::to_string(size));
  KDP_TRY_STATUS(s.write_memory(address, data));
  if (kernel_bytes(address, size) != data) return wrong("write " + hex(address) + " did not land");
  return {};
}

// kdpctl continue: insert the breakpoints, resume, wait for the stop, take them out again.
Status Commands::cont(client::Session& s) {
  std::vector<uint64_t> bps;
  for (uint64_t n = 1 + below(2), i = 0; i < n; ++i) bps.push_back(path_[below(path_.size())]);
  note("continue (breakpoints " + hex(bps.front()) + (bps.size() > 1 ? ", " + hex(bps.back()) : "") + ")");
  for (uint64_t a : bps) KDP_TRY_STATUS(s.set_breakpoint(a));
  KDP_TRY(client::StopEvent stop, s.resume_and_wait(60s));
  const stub::StubEngine& kernel = world_->kernel();
  if (kernel.running() || kernel.awaiting_ack()) return wrong("continue returned before the kernel stopped");
  if (stop.rip != kernel.registers().rip()) return wrong("stop rip " + hex(stop.rip) + " != kernel rip");
  bool on_bp = std::find(bps.begin(), bps.end(), stop.rip) != bps.end();
  if (stop.breakpoint_hit && !on_bp) return wrong("breakpoint_hit at " + hex(stop.rip) + ", which is no breakpoint");
  for (const auto& bp : s.breakpoints()) KDP_TRY_STATUS(s.remove_breakpoint(bp.address));
  return {};
}

Status Commands::step(client::Session& s) {
  uint64_t from = world_->kernel().registers().rip();
  note("step from " + hex(from));
  KDP_TRY(client::StopEvent stop, s.single_step(30s));
  auto at = std::find(path_.begin(), path_.end(), from);
  if (at != path_.end()) {
    auto next = std::next(at) == path_.end() ? path_.begin() : std::next(at);
    bool stale_int3 = stale_int3s_.count(from) != 0 && kernel_bytes(from, 1)[0] == 0xcc;
    uint64_t expected = stale_int3 ? from + 1 : *next;  // a stale int3 traps before moving on
    if (stop.rip != expected) return wrong("step from " + hex(from) + " landed on " + hex(stop.rip));
  }
  if (world_->kernel().registers().rflags() & wire::X86ThreadState64::kTrapFlag) return wrong("trap flag left set");
  return {};
}

// Between commands no int3 of ours may be left in the kernel's text.
Status Commands::leftovers() {
  for (uint64_t a : path_) {
    if (stale_int3s_.count(a) != 0) continue;
    uint8_t now = world_->kernel().memory().byte_at(a).value_or(0);
    if (now != originals_[a]) return wrong("byte at " + hex(a) + " is " + hex(now) + " after the command");
  }
  return {};
}

Status Commands::command(uint64_t index) {
  port_ = static_cast<uint16_t>(40000 + index % 20000);  // a new port per process, as the system gives
  key_base_ = static_cast<uint32_t>(rng_());
  note("command " + std::to_string(index) + " from port " + std::to_string(port_));
  auto trace = [this](std::string_view line) { note(std::to_string(port_) + " " + std::string(line)); };
  // As kdpctl: a kernel refused to us right after we attached was taken by a predecessor's
  // delayed CONNECT.
  // and the round trip the previous command measured starts the RTO.
  KDP_TRY(auto session, open_sim_session(*world_, port_, key_base_, client::AttachMode::kReattach, sim_policy(), trace,
                                         kRetakeWindow, remembered_rtt_));
  uint64_t dice = below(100);
  Status done = dice < 35 ? examine(*session)
                : dice < 50 ? registers(*session)
                : dice < 65 ? write(*session)
                : dice < 85 ? cont(*session)
                            : step(*session);
  client::SessionStats stats = session->stats();
  if (stats.srtt.count() > 0) remembered_rtt_ = stats.srtt;
  report_.recoveries += stats.recoveries;
  report_.retransmissions += stats.retransmissions;
  KDP_TRY_STATUS(done);
  return leftovers();
}  // the session ends like a process: no DISCONNECT, its datagrams still in flight

CommandsReport Commands::run() {
  report_.seed = seed_;
  uint64_t count = 8 + below(16);
  Status status;
  for (uint64_t i = 0; status && i < count; ++i) {
    ++report_.commands;
    status = command(i);
    if (!status) status = status.error().context("command " + std::to_string(i));
  }
  report_.virtual_time = world_->now();
  if (world_->exhausted()) status = Error(ErrorKind::kTimeout, "HANG: the event budget ran out");
  report_.ok = status.has_value();
  if (!status) {
    report_.failure = status.error().message() + "\n  last packets:";
    for (const std::string& line : packets_) report_.failure += "\n    " + line;
  }
  return report_;
}

}  // namespace

CommandsReport run_commands(uint64_t seed, bool verbose) { return Commands(seed, verbose).run(); }

}  // namespace kdp::sim
