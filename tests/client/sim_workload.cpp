#include "sim_workload.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <random>

#include "kdp/wire/codec.h"
#include "sim_fixture.h"

namespace kdp::sim {
namespace {

using namespace std::chrono_literals;
using client::Session;

// Every check that fails becomes the run's failure message.
Error mismatch(std::string what) { return Error(ErrorKind::kProtocol, "WRONG RESULT: " + std::move(what)); }

class Workload {
 public:
  Workload(uint64_t seed, bool verbose);
  RunReport run();

 private:
  // setup
  KernelSpec random_kernel();
  WorldConfig random_network();
  Duration max_latency() const;

  // sessions
  Status open_session(uint16_t port, std::optional<client::ResumePoint> resume = {});
  Status handover(bool same_port);
  Status resume_handover();
  Status recover(const Error& error, std::string_view op);
  template <class T>
  Status check_ok(Expected<T>& result, std::string_view op, bool& skipped);

  // operations
  Status one_op();
  Status op_read();
  Status op_write();
  Status op_registers();
  Status op_set_breakpoint();
  Status op_remove_breakpoint();
  Expected<std::optional<client::StopEvent>> checked_stop(Expected<client::StopEvent> stop, std::string_view op);
  Status op_continue();
  Status op_step();
  Status op_misc();
  Status check_breakpoint_bytes();
  Status finish();
  void absorb_stats(const Session& session);

  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  Bytes kernel_bytes(uint64_t address, size_t size) { return world_->kernel().memory().read(address, size); }
  void log(const std::string& line);
  void note_hazard(const std::string& what);

  uint64_t seed_;
  bool verbose_;
  std::mt19937_64 rng_;
  KernelSpec spec_;
  WorldConfig net_;
  std::vector<uint64_t> path_;
  std::unique_ptr<SimWorld> world_;
  std::unique_ptr<Session> session_;
  std::unique_ptr<Session> previous_;  // the one a barge-in kicked out
  uint16_t port_ = 50000;
  uint32_t key_base_ = 0;
  std::map<uint64_t, uint8_t> originals_;  // path address -> byte at boot
  std::map<uint64_t, bool> breakpoints_;   // ours -> kernel-managed
  bool connected_ = false;                 // the kernel executed the current session's CONNECT
  bool hazard_ = false;                    // ... and then something KDP cannot always recover
  std::set<uint32_t> connect_keys_;        // keys of the CONNECTs the kernel executed
  bool reconnected_by_duplicate_ = false;  // the last session change was a repeated CONNECT
  bool lost_track_ = false;                // breakpoints were abandoned after a hazard
  bool kernel_ran_ = false;                // this op resumed the kernel
  bool kernel_ran_before_ = false;         // the previous op did
  RunReport report_;
};

Workload::Workload(uint64_t seed, bool verbose) : seed_(seed), verbose_(verbose), rng_(seed) {
  spec_ = random_kernel();
  net_ = random_network();
  SimKernel kernel = make_kernel(spec_);
  path_ = kernel.path;
  for (uint64_t address : path_) originals_[address] = kernel.engine.memory().byte_at(address).value_or(0);
  world_ = std::make_unique<SimWorld>(std::move(kernel.engine), net_);
  if (verbose_) world_->on_kernel_log([this](const std::string& line) { log("  kernel: " + line); });
  world_->on_kernel_delivery([this](const KernelDelivery& d) {
    auto h = wire::decode_header(d.datagram.bytes);
    if (!d.executed || !h) return;
    if (h->seq == 255) ++report_.seq255;
    // Keys of the current session lie in [key_base_, key_base_ + 2^20): anything else that the
    // kernel executes is a stale request of an earlier session.
    if (h->key - key_base_ >= (1u << 20)) return note_hazard("a stale " + wire::command_name(h->command) + " of an earlier session");
    // xnu accepts REATTACH at any seq and a duplicate CONNECT as a retransmission: a delayed
    // copy of either, executed after our CONNECT, resets the session or rewinds its seq.
    bool handshake = h->command == wire::Command::kReattach || h->command == wire::Command::kConnect;
    if (handshake && connected_) note_hazard("a delayed duplicate " + wire::command_name(h->command));
    if (h->command == wire::Command::kConnect) connected_ = true;
    if (handshake || h->command == wire::Command::kDisconnect)
      reconnected_by_duplicate_ = h->command == wire::Command::kConnect && !connect_keys_.insert(h->key).second;
  });
}

KernelSpec Workload::random_kernel() {
  KernelSpec k;
  k.memory_seed = rng_();
  k.path_seed = rng_();
  k.kernel_breakpoints = below(3) != 0;
  k.bad_access_errors = below(2) != 0;
  k.path_length = 12 + below(30);
  k.step = std::chrono::microseconds(200 + below(1800));
  k.stop_after = 2 * k.step + std::chrono::microseconds(1000 + below(30000));
  return k;
}

WorldConfig Workload::random_network() {
  WorldConfig c;
  c.seed = rng_();
  double loss = below(5) == 0 ? 0.0 : uniform() * 0.3;
  for (auto* f : {&c.to_kernel, &c.to_debuggers}) {
    f->loss = loss;
    f->dup = uniform() * 0.1;
    f->reorder = uniform() * 0.2;
    f->delay = std::chrono::microseconds(20 + below(3000));
    f->jitter = std::chrono::microseconds(below(1000));
    f->reorder_delay = std::chrono::microseconds(1000 + below(20000));
  }
  c.forged_replies = uniform() * 0.05;
  c.garbage = uniform() * 0.05;
  return c;
}

Duration Workload::max_latency() const {
  Duration worst{0};
  for (const auto* f : {&net_.to_kernel, &net_.to_debuggers})
    worst = std::max(worst, f->delay + 2 * f->jitter + f->reorder_delay);
  return worst + 1ms;
}

void Workload::note_hazard(const std::string& what) {
  if (hazard_) return;
  hazard_ = true;
  ++report_.hazards;
  log("  (hazard: the kernel executed " + what + ")");
}

void Workload::log(const std::string& line) {
  if (verbose_) std::printf("[%10.3f ms] %s\n", std::chrono::duration<double, std::milli>(world_->now()).count(),
                            line.c_str());
}

Status Workload::open_session(uint16_t port, std::optional<client::ResumePoint> resume) {
  // A resumed conversation's keys go on from the previous session's, so its requests (and the
  // previous process's late ones) stay inside the current key range.
  if (!resume) {
    key_base_ = static_cast<uint32_t>(rng_());
    connected_ = false;
    hazard_ = false;
  }
  log((resume ? "resume on port " : "reattach from port ") + std::to_string(port) + " (keys from " + hex(key_base_) + ")");
  std::function<void(std::string_view)> trace;
  if (verbose_) trace = [this, port](std::string_view line) { log("  " + std::to_string(port) + " " + std::string(line)); };
  auto session = open_sim_session(*world_, port, key_base_, client::AttachMode::kReattach, sim_policy(), trace, {},
                                  std::nullopt, std::move(resume));
  if (!session) return std::move(session).error();
  session_ = std::move(session).value();
  port_ = port;
  return {};
}

// Another debugger takes over (a barge-in from a new port, or the next CLI invocation reusing
// the port). Like the CLI, the new session re-establishes the breakpoints: REATTACH removed the
// kernel-managed ones, the 0xCC bytes written by a session stay in memory and are adopted.
Status Workload::handover(bool same_port) {
  ++report_.handovers;
  // A notification carries no session identity: let duplicates of the last one drain first.
  if (kernel_ran_before_) world_->advance(max_latency());
  absorb_stats(*session_);
  previous_ = std::move(session_);
  if (Status opened = open_session(same_port ? port_ : static_cast<uint16_t>(port_ + 1)); !opened)
    return recover(opened.error(), "handover");
  for (auto [address, kernel_managed] : breakpoints_) {
    Status done = kernel_managed ? session_->set_breakpoint(address)
                                 : session_->adopt_breakpoint(address, originals_[address]);
    if (!done) return recover(done.error(), "re-establish breakpoint " + hex(address));
  }
  if (same_port) {
    previous_.reset();
    return {};
  }
  // The old debugger does not know yet: its next request must fail, never succeed.
  auto stale = previous_->read_memory(kData, 16);
  if (stale && !hazard_) return mismatch("the kicked-out session still got a reply");
  if (stale) {
    // A delayed duplicate REATTACH freed the kernel and the kicked-out session reconnected to it
    // (as any debugger may): the right bytes, and the new session has lost the kernel.
    if (*stale != kernel_bytes(kData, 16)) return mismatch("the kicked-out session read other bytes");
    previous_.reset();
    return recover(Error(ErrorKind::kProtocol, "the kicked-out session regained the kernel"), "handover");
  }
  log("  kicked-out session: " + stale.error().message());
  previous_.reset();
  return {};
}

// The next kdpctl command in direct mode: the command takes its breakpoints out (as kdpctl does
// after a stop), its process ends, and the next one goes on with its conversation on the same
// port (client::ResumePoint), then sets the breakpoints again. Nothing is drained in between.
Status Workload::resume_handover() {
  if (!session_->resume_point()) return handover(true);  // nothing to go on with: attach afresh
  for (auto [address, kernel_managed] : breakpoints_)
    if (Status removed = session_->remove_breakpoint(address); !removed)
      return recover(removed.error(), "take out breakpoint " + hex(address) + " before the process ends");
  std::optional<client::ResumePoint> point = session_->resume_point();  // none: attach afresh
  if (point) ++report_.resumes;
  absorb_stats(*session_);
  session_.reset();  // the process exits: its port is free until the next one binds it
  if (Status opened = open_session(port_, point); !opened) return recover(opened.error(), "resume");
  for (auto [address, kernel_managed] : breakpoints_)
    if (Status set = session_->set_breakpoint(address); !set)
      return recover(set.error(), "set breakpoint " + hex(address) + " again");
  return {};
}

// An operation failed. That is a bug, unless the kernel executed a stale request of an earlier
// session (then the current session may legitimately lose track): reattach and go on.
Status Workload::recover(const Error& error, std::string_view op) {
  if (!hazard_) return Error(error.kind(), std::string(op) + ": " + error.message());
  ++report_.tolerated_errors;
  log("  tolerated after interference: " + error.message());
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (session_) absorb_stats(*session_);
    session_.reset();
    breakpoints_.clear();  // whatever the kernel holds now, the next session starts clean
    lost_track_ = true;    // ... and 0xCC bytes of the lost one may remain
    if (open_session(static_cast<uint16_t>(port_ + 1))) return {};
  }
  return Error(ErrorKind::kTimeout, "could not reattach after interference");
}

template <class T>
Status Workload::check_ok(Expected<T>& result, std::string_view op, bool& skipped) {
  skipped = !result;
  if (result) return {};
  return recover(result.error(), op);
}

Status Workload::op_read() {
  uint64_t address, size;
  switch (below(4)) {
    case 0: address = kText + below(kTextSize); size = 1 + below(64); break;
    case 1: address = kData + below(kDataSize); size = 1 + below(2500); break;
    case 2: address = kHole - 1 - below(3000); size = 1 + below(4000); break;  // may reach the hole
    default: address = kText + below(kTextSize); size = 1 + below(6000); break;
  }
  log("read " + hex(address) + " +" + std::to_string(size));
  uint64_t readable = 0;  // the kernel's truth: bytes before the first unmapped page
  while (readable < size && world_->kernel().memory().is_mapped(address + readable))
    readable += std::min(size - readable, stub::Memory::kPageSize - (address + readable) % stub::Memory::kPageSize);
  auto bytes = session_->read_memory(address, size);
  if (readable == size) {
    bool skipped;
    KDP_TRY_STATUS(check_ok(bytes, "read", skipped));
    if (!skipped && *bytes != kernel_bytes(address, size)) return mismatch("read " + hex(address) + " returned other bytes");
    return {};
  }
  if (bytes) return mismatch("read " + hex(address) + " succeeded across the unmapped page");
  if (bytes.error().kind() != ErrorKind::kProtocol) return recover(bytes.error(), "read into the hole");
  std::string expected = hex(address + readable) + " is unreadable";
  if (bytes.error().message().find(expected) == std::string::npos)
    return mismatch("short read error does not name " + hex(address + readable) + ": " + bytes.error().message());
  return {};
}

Status Workload::op_write() {
  uint64_t size = 1 + below(below(2) ? 64 : 3000);
  uint64_t address = kData + below(kDataSize - size);
  Bytes data(size);
  for (auto& b : data) b = static_cast<uint8_t>(rng_());
  log("write " + hex(address) + " +" + std::to_string(size));
  Status done = session_->write_memory(address, data);
  if (!done) return recover(done.error(), "write");
  if (kernel_bytes(address, size) != data) return mismatch("write " + hex(address) + " did not land");
  return {};
}

Status Workload::op_registers() {
  log("registers");
  auto regs = session_->read_registers();
  bool skipped;
  KDP_TRY_STATUS(check_ok(regs, "read registers", skipped));
  if (skipped) return {};
  if (*regs != world_->kernel().registers()) return mismatch("registers differ from the kernel's");
  wire::X86ThreadState64 changed = *regs;
  for (size_t i = 0; i < 16; ++i)  // rax..r15; rip, rflags and the selectors stay
    if (below(2)) changed.regs[i] = rng_();
  Status done = session_->write_registers(changed);
  if (!done) return recover(done.error(), "write registers");
  if (world_->kernel().registers() != changed) return mismatch("written registers did not land");
  return {};
}

Status Workload::op_set_breakpoint() {
  uint64_t address = path_[below(path_.size())];
  log("break " + hex(address));
  bool orphan = breakpoints_.count(address) == 0 && kernel_bytes(address, 1)[0] == 0xcc;
  Status done = session_->set_breakpoint(address);
  // An int3 a lost session left behind (after a hazard): take it over, as the CLI would.
  if (!done && orphan && !spec_.kernel_breakpoints) done = session_->adopt_breakpoint(address, originals_[address]);
  if (!done) return recover(done.error(), "set breakpoint");
  auto listed = session_->breakpoints();
  auto it = std::find_if(listed.begin(), listed.end(), [&](auto& b) { return b.address == address; });
  if (it == listed.end()) return mismatch("breakpoint " + hex(address) + " is not listed");
  breakpoints_[address] = it->kernel_managed;
  if (it->kernel_managed != spec_.kernel_breakpoints) return mismatch("breakpoint kind ignores the feature bit");
  return {};
}

Status Workload::op_remove_breakpoint() {
  if (breakpoints_.empty()) return op_set_breakpoint();
  auto it = std::next(breakpoints_.begin(), static_cast<long>(below(breakpoints_.size())));
  uint64_t address = it->first;
  log("delete " + hex(address));
  Status done = session_->remove_breakpoint(address);
  if (!done) return recover(done.error(), "remove breakpoint");
  breakpoints_.erase(address);
  return {};
}

// What every stop must satisfy; nullopt when an error was tolerated (see recover).
Expected<std::optional<client::StopEvent>> Workload::checked_stop(Expected<client::StopEvent> stop,
                                                                   std::string_view op) {
  kernel_ran_ = true;
  bool skipped;
  KDP_TRY_STATUS(check_ok(stop, op, skipped));
  if (skipped) return std::optional<client::StopEvent>();
  ++report_.stops;
  const stub::StubEngine& kernel = world_->kernel();
  log("  stopped at " + hex(stop->rip) + (stop->breakpoint_hit ? " (breakpoint)" : ""));
  if (kernel.running() || kernel.awaiting_ack()) return mismatch(std::string(op) + " returned before the kernel stopped");
  if (stop->rip != kernel.registers().rip()) return mismatch("stop rip " + hex(stop->rip) + " != kernel rip");
  if (stop->exception != 6 || stop->code != 3) return mismatch("stop is not (EXC_BREAKPOINT, 3)");
  return std::optional<client::StopEvent>(*stop);
}

Status Workload::op_continue() {
  log("continue");
  KDP_TRY(auto stop, checked_stop(session_->resume_and_wait(60s), "continue"));
  if (!stop) return {};
  // (A stop-after NMI may also stop right on a breakpoint, before its int3 ran.)
  if (stop->breakpoint_hit && breakpoints_.count(stop->rip) == 0)
    return mismatch("breakpoint_hit at " + hex(stop->rip) + ", which is no breakpoint");
  if (breakpoints_.count(stop->rip - 1) != 0) return mismatch("rip was not rewound after a breakpoint");
  return {};
}

Status Workload::op_step() {
  uint64_t from = world_->kernel().registers().rip();
  log("step from " + hex(from));
  KDP_TRY(auto stop, checked_stop(session_->single_step(30s), "step"));
  if (!stop) return {};
  if (world_->kernel().registers().rflags() & wire::X86ThreadState64::kTrapFlag) return mismatch("trap flag left set");
  auto at = std::find(path_.begin(), path_.end(), from);
  if (at != path_.end()) {
    auto next = std::next(at) == path_.end() ? path_.begin() : std::next(at);
    // An int3 the session does not know of (left by a session lost to interference) traps.
    bool foreign_int3 = kernel_bytes(from, 1)[0] == 0xcc && breakpoints_.count(from) == 0;
    uint64_t expected = foreign_int3 ? from + 1 : *next;
    if (stop->rip != expected) return mismatch("step from " + hex(from) + " landed on " + hex(stop->rip));
  }
  return {};
}

Status Workload::op_misc() {
  log("misc");
  switch (below(4)) {
    case 0: {
      auto info = session_->dump_info();
      bool skipped;
      return check_ok(info, "dumpinfo", skipped);
    }
    case 1: {
      uint32_t msr = 0xc0000100 + static_cast<uint32_t>(below(3));
      uint64_t value = rng_();
      if (Status done = session_->write_msr(msr, value); !done) return recover(done.error(), "write msr");
      auto back = session_->read_msr(msr);
      bool skipped;
      KDP_TRY_STATUS(check_ok(back, "read msr", skipped));
      if (!skipped && *back != value) return mismatch("MSR read back differs");
      return {};
    }
    case 2: {
      auto fp = session_->read_float_state();
      bool skipped;
      KDP_TRY_STATUS(check_ok(fp, "float state", skipped));
      if (!skipped && fp->size() != wire::kFloatState64Size) return mismatch("float state size");
      return {};
    }
    default: {
      uint64_t offset = below(kTextSize - 64);
      auto phys = session_->read_physical(kText - stub::kPhysMapBase + offset, 64);
      bool skipped;
      KDP_TRY_STATUS(check_ok(phys, "physical read", skipped));
      if (!skipped && *phys != kernel_bytes(kText + offset, 64)) return mismatch("physical read differs");
      return {};
    }
  }
}

// Invariant after every operation: exactly our breakpoints hold 0xCC on the path.
Status Workload::check_breakpoint_bytes() {
  if (hazard_ || lost_track_) return {};
  for (uint64_t address : path_) {
    uint8_t now = world_->kernel().memory().byte_at(address).value_or(0);
    uint8_t expected = breakpoints_.count(address) ? 0xcc : originals_[address];
    if (now != expected) return mismatch("byte at " + hex(address) + " is " + hex(now) + ", expected " + hex(expected));
  }
  return {};
}

Status Workload::one_op() {
  uint64_t dice = below(100);
  kernel_ran_before_ = std::exchange(kernel_ran_, false);
  Status done = dice < 30   ? op_read()
                : dice < 42 ? op_write()
                : dice < 50 ? op_registers()
                : dice < 59 ? op_set_breakpoint()
                : dice < 64 ? op_remove_breakpoint()
                : dice < 76 ? op_continue()
                : dice < 86 ? op_step()
                : dice < 96 ? op_misc()
                : dice < 98 ? resume_handover()
                : dice < 99 ? handover(false)
                            : handover(true);
  KDP_TRY_STATUS(done);
  return check_breakpoint_bytes();
}

Status Workload::finish() {
  log("disconnect");
  Status done = session_->disconnect();
  // The kernel resumes as it replies, so a lost reply cannot be recovered: both outcomes are
  // fine, but a success must mean the kernel let go.
  // Unless a delayed copy of our own CONNECT reached the kernel after the DISCONNECT (it waits for
  // a debugger again once it traps, and xnu accepts any CONNECT with seq 0 then): KDP cannot
  // prevent that, and the kernel is then held by a port nobody listens on until the next reattach.
  if (done && world_->kernel().connected()) {
    if (!reconnected_by_duplicate_) return mismatch("disconnect succeeded but the kernel is connected");
    ++report_.tolerated_errors;
    log("  tolerated: a delayed duplicate of our CONNECT reconnected the kernel after the DISCONNECT");
  }
  if (world_->kernel().stats().ack_timeouts != 0) return mismatch("the kernel gave up waiting for an exception ack");
  return {};
}

void Workload::absorb_stats(const Session& session) {
  client::SessionStats s = session.stats();
  report_.requests += s.requests;
  report_.retransmissions += s.retransmissions;
  report_.resyncs += s.resyncs;
  report_.discarded += s.discarded;
}

RunReport Workload::run() {
  report_.seed = seed_;
  uint64_t ops = 60 + below(80);
  Status status = open_session(port_);
  if (!status) status = status.error().context("attach");
  for (uint64_t i = 0; status && i < ops; ++i) {
    ++report_.ops;
    status = one_op();
    if (!status) status = status.error().context("op " + std::to_string(i));
  }
  if (status) status = finish();
  if (session_) absorb_stats(*session_);
  report_.virtual_time = world_->now();
  report_.hang = world_->exhausted();
  report_.ok = status.has_value() && !report_.hang;
  if (!status) report_.failure = status.error().message();
  if (report_.hang) report_.failure = "HANG: the event budget ran out (" + report_.failure + ")";
  return report_;
}

}  // namespace

RunReport run_workload(uint64_t seed, bool verbose) { return Workload(seed, verbose).run(); }

}  // namespace kdp::sim
