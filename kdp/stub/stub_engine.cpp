// StubEngine's entry points: construction, datagrams in, timers, outputs.
#include "kdp/stub/stub_engine.h"

#include "kdp/wire/codec.h"

namespace kdp::stub {
namespace {

// kdp_kernelversion_string is a 256-byte buffer.
constexpr size_t kMaxKernelVersion = 255;

// Values a Lion-era Intel CPU plausibly holds; the rest read as 0 (see stub_engine.h).
std::map<uint32_t, uint64_t> default_msrs() {
  return {
      {0x1b, 0xfee00900},                    // IA32_APIC_BASE: BSP, xAPIC enabled
      {0xc0000080, 0xd01},                   // IA32_EFER: SCE, LME, LMA, NXE
      {0xc0000081, 0x001b000800000000ULL},   // IA32_STAR
      {0xc0000082, 0xffffff80002d5000ULL},   // IA32_LSTAR: a syscall entry in __TEXT
      {0xc0000084, 0x4700},                  // IA32_FMASK
      {0xc0000101, 0xffffff8000806000ULL},   // IA32_GS_BASE: per-CPU data in __DATA
      {0xc0000102, 0},                       // IA32_KERNEL_GS_BASE
  };
}

}  // namespace

StubEngine::StubEngine(TargetConfig config, Memory memory, wire::X86ThreadState64 registers,
                       ExecutionScript script)
    : config_(std::move(config)),
      memory_(std::move(memory)),
      registers_(registers),
      boot_registers_(registers),
      script_(std::move(script)),
      packet_buffer_(wire::kMaxPacketSize, 0),
      msrs_(default_msrs()) {
  if (config_.kernel_version.size() > kMaxKernelVersion) config_.kernel_version.resize(kMaxKernelVersion);
  if (script_.step <= Duration::zero()) script_.step = std::chrono::milliseconds(1);
  dump_info_.port = 1069;  // CORE_REMOTE_PORT, xnu's default panicd_port
  log("Waiting for remote debugger connection.");
}

void StubEngine::on_datagram(const Datagram& datagram, Time now) {
  ++stats_.received;
  if (state_ == State::kRunning) {
    drop(stats_.dropped_while_running,
         "kdp-sim: the kernel is running, ignored " + wire::describe_datagram(datagram.bytes));
    return;
  }
  if (state_ == State::kBooting) {
    drop(stats_.dropped_while_booting,
         "kdp-sim: the machine is restarting, lost " + wire::describe_datagram(datagram.bytes));
    return;
  }
  if (!session_.connected) remote_ = datagram.peer;  // kdp_poll learns the peer
  if (datagram.bytes.size() > wire::kMaxPacketSize) {
    count_malformed(datagram, "larger than one Ethernet frame");
    return;
  }
  remember(datagram.bytes);
  if (state_ == State::kAwaitingAck) {
    on_awaiting_ack(datagram, now);
    return;
  }
  auto header = peek_header(datagram.bytes);
  if (!header) {
    count_malformed(datagram, wire::describe_datagram(datagram.bytes));
    return;
  }
  if (state_ == State::kWaiting)
    on_waiting(datagram, *header, now);
  else
    on_serving(datagram, *header, now);
}

std::optional<Time> StubEngine::next_deadline() const {
  std::optional<Time> earliest;
  auto consider = [&](std::optional<Time> t) {
    if (t && (!earliest || *t < *earliest)) earliest = t;
  };
  consider(stop_at_);
  consider(boot_done_);
  consider(next_step_);
  if (notification_) consider(notification_->next_send);
  return earliest;
}

void StubEngine::on_timer(Time now) {
  // Handle every due event in time order, each at its own timestamp, so a late wake-up gives the
  // same result as a punctual one.
  for (auto due = next_deadline(); due && *due <= now; due = next_deadline()) {
    if (boot_done_ == due) {
      enter_waiting();
    } else if (notification_ && notification_->next_send == *due) {
      on_ack_deadline(*due);
    } else if (stop_at_ == due) {
      stop_at_.reset();
      trap(6, 3, 0, *due);  // EXC_BREAKPOINT, EXC_I386_BPTFLT: how Debugger()/NMI stops look
    } else {
      step(*due);
    }
  }
}

void StubEngine::schedule_stop_after(Duration d, Time now) { stop_at_ = now + d; }

std::vector<Datagram> StubEngine::take_outgoing() { return std::exchange(outgoing_, {}); }

std::vector<std::string> StubEngine::take_log() { return std::exchange(log_, {}); }

}  // namespace kdp::stub
