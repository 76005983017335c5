#include "tools/kdp-sim/from_pcap.h"

#include "kdp/pcap/replay.h"

namespace kdp::sim {
namespace {

stub::TargetConfig config_from(const pcap::ReplayState& s, stub::TargetConfig c) {
  if (s.host_info) {
    c.cpus_mask = s.host_info->cpus_mask;
    c.cpu_type = s.host_info->cpu_type;
    c.cpu_subtype = s.host_info->cpu_subtype;
  }
  if (s.version) c.version = *s.version;
  if (s.feature) c.feature = *s.feature;
  if (s.kernel_version) c.kernel_version = *s.kernel_version;
  return c;
}

std::string facts(const pcap::ReplayState& s) {
  std::string out;
  auto add = [&](bool present, const char* name) {
    if (present) out += std::string(out.empty() ? "" : ", ") + name;
  };
  add(s.registers.has_value(), "registers");
  add(s.host_info.has_value(), "HOSTINFO");
  add(s.version.has_value(), "VERSION");
  add(s.kernel_version.has_value(), "KERNELVERSION");
  if (!s.registers) out += std::string(out.empty() ? "" : ", ") + "no registers (READREGS answers KDPERR_BADFLAVOR)";
  return out.empty() ? "no handshake facts" : out;
}

}  // namespace

Expected<CaptureTarget> target_from_capture(const std::string& path, const stub::TargetConfig& defaults) {
  KDP_TRY(pcap::ReplayState state, pcap::load_replay(path));
  CaptureTarget target;
  const uint64_t known = state.memory.known_bytes();
  for (const pcap::MemoryExtent& e : state.memory.extents()) {
    const pcap::CapturedMemory::Read r = state.memory.read(e.address, e.size);
    if (r.bytes.size() != e.size)
      return Error(ErrorKind::kMalformed, "capture " + path + ": extent at " + hex(e.address) + " reads back short");
    KDP_TRY_STATUS(target.snapshot.memory.map_known(e.address, r.bytes));
  }
  if (state.registers) target.snapshot.registers = *state.registers;
  target.config = config_from(state, defaults);
  target.config.registers_known = state.registers.has_value();
  target.summary = "capture " + path + ": " + std::to_string(known) + " bytes of memory in " +
                   std::to_string(target.snapshot.memory.page_count()) +
                   " pages (the bytes the capture does not hold cannot be read), " + facts(state) + ", " +
                   std::to_string(state.stops.size()) + " stops";
  return target;
}

}  // namespace kdp::sim
