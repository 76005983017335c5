#include "cli/pcap/replay_session.h"

#include "kdp/client/kernel_version.h"
#include "kgm/replay_memory.h"

namespace kdp::cli {
namespace {

Error needs_live_target(std::string_view what) {
  return usage_error(std::string(what) + " needs a live target: --replay only answers from the capture");
}

class ReplaySession final : public client::Session {
 public:
  explicit ReplaySession(std::shared_ptr<const pcap::ReplayState> state)
      : state_(state), memory_(state), info_(replay_target_info(*state)) {}

  const client::TargetInfo& target() const override { return info_; }
  client::SessionStats stats() const override { return {}; }
  // A capture never changes: one generation, so a cache over it never needs dropping.
  uint64_t generation() const override { return 0; }

  Expected<Bytes> read_memory(uint64_t address, uint64_t size, client::ProgressFn progress) override {
    KDP_TRY(Bytes bytes, memory_.read(address, size));
    if (progress) progress(bytes.size(), size);
    return bytes;
  }
  Expected<Bytes> read_memory_partial(uint64_t address, uint64_t size) override {
    return memory_.read_partial(address, size);
  }
  Status write_memory(uint64_t, ByteView) override { return needs_live_target("writing memory"); }
  Expected<Bytes> read_physical(uint64_t, uint64_t, uint16_t) override {
    return needs_live_target("reading physical memory");
  }
  Status write_physical(uint64_t, ByteView, uint16_t) override { return needs_live_target("writing physical memory"); }
  Expected<uint64_t> read_msr(uint32_t, uint16_t) override { return needs_live_target("reading an MSR"); }
  Status write_msr(uint32_t, uint64_t, uint16_t) override { return needs_live_target("writing an MSR"); }
  Expected<uint32_t> read_ioport(uint16_t, uint16_t, uint16_t) override { return needs_live_target("reading an I/O port"); }
  Status write_ioport(uint16_t, uint16_t, uint32_t, uint16_t) override { return needs_live_target("writing an I/O port"); }

  Expected<wire::X86ThreadState64> read_registers() override {
    if (!state_->registers)
      return Error(ErrorKind::kNotFound, "capture " + state_->source + " holds no KDP_READREGS reply (flavor 4)");
    return *state_->registers;
  }
  Status write_registers(const wire::X86ThreadState64&) override { return needs_live_target("writing registers"); }
  Expected<Bytes> read_float_state() override {
    if (!state_->float_state)
      return Error(ErrorKind::kNotFound, "capture " + state_->source + " holds no KDP_READREGS reply (flavor 5)");
    return *state_->float_state;
  }

  Status set_breakpoint(uint64_t) override { return needs_live_target("setting a breakpoint"); }
  Status remove_breakpoint(uint64_t) override { return needs_live_target("removing a breakpoint"); }
  Expected<client::StopEvent> resume_and_wait(std::chrono::milliseconds) override {
    return needs_live_target("continuing");
  }
  Expected<client::StopEvent> single_step(std::chrono::milliseconds) override { return needs_live_target("stepping"); }
  Status disconnect() override { return needs_live_target("detaching"); }
  Status reboot() override { return needs_live_target("rebooting"); }
  Expected<wire::DumpInfo> dump_info() override { return needs_live_target("KDP_DUMPINFO"); }

 private:
  std::shared_ptr<const pcap::ReplayState> state_;
  kgm::ReplayMemory memory_;
  client::TargetInfo info_;
};

}  // namespace

client::TargetInfo replay_target_info(const pcap::ReplayState& state) {
  client::TargetInfo info;
  info.host = "replay";
  info.address = state.source;
  info.version = state.version.value_or(0);
  info.feature = state.feature.value_or(0);
  if (state.host_info) info.host_info = *state.host_info;
  info.kernel_version = state.kernel_version.value_or("");
  const client::KernelVersionFields fields = client::parse_kernel_version(info.kernel_version);
  info.uuid = fields.uuid;
  info.stext = fields.stext;
  info.max_bytes = state.max_bytes.value_or(wire::kMaxDataSize);
  return info;
}

Expected<std::unique_ptr<client::Session>> open_replay_session(const std::string& path) {
  KDP_TRY(pcap::ReplayState state, pcap::load_replay(path));
  auto shared = std::make_shared<const pcap::ReplayState>(std::move(state));
  return std::unique_ptr<client::Session>(new ReplaySession(std::move(shared)));
}

}  // namespace kdp::cli
