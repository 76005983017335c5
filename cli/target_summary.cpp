#include "cli/target_summary.h"

#include <bit>

#include "kdp/base/bytes.h"
#include "cli/core/number.h"
#include "cli/core/stop_report.h"

namespace kdp::cli {

std::string feature_text(uint32_t feature) {
  std::string text = hex(feature);
  if (feature & wire::kFeatureBreakpoints) text += " (kernel-managed breakpoints)";
  return text;
}

int cpu_count(uint32_t cpus_mask) { return std::popcount(cpus_mask); }

std::string target_summary_text(const client::TargetInfo& info, std::string_view how) {
  const wire::HostInfoReply& h = info.host_info;
  std::string text = "Attached to " + info.host + " (" + info.address + ") with " + std::string(how) + "\n";
  text += "Kernel version: " + (info.kernel_version.empty() ? "(not reported)" : info.kernel_version) + "\n";
  text += "Kernel UUID: " + info.uuid.value_or("(not reported)") + "\n";
  if (info.stext) text += "Kernel text: " + hex(*info.stext) + " (KASLR)\n";
  text += "KDP protocol version " + std::to_string(info.version) + ", features " + feature_text(info.feature) + "\n";
  text += "Host: " + cpu_type_name(h.cpu_type) + " (cpu_type " + hex(h.cpu_type) + ", cpu_subtype " +
          std::to_string(h.cpu_subtype) + "), " + std::to_string(cpu_count(h.cpus_mask)) + " CPUs (mask " +
          hex(h.cpus_mask) + ")\n";
  text += "Largest transfer: " + std::to_string(info.max_bytes) + " bytes\n";
  return text;
}

void target_summary_json(JsonWriter& j, const client::TargetInfo& info) {
  const wire::HostInfoReply& h = info.host_info;
  j.field("target", info.host).field("address", info.address).field("kernel_version", info.kernel_version);
  j.field("uuid", info.uuid);
  j.key("stext");
  info.stext ? j.value(hex_padded(*info.stext)) : j.null();
  j.field("protocol_version", info.version).field("features", info.feature);
  j.field("kernel_breakpoints", info.kernel_breakpoints());
  j.field("cpu_type", h.cpu_type).field("cpu_type_name", cpu_type_name(h.cpu_type)).field("cpu_subtype", h.cpu_subtype);
  j.field("cpus_mask", h.cpus_mask).field("cpus", cpu_count(h.cpus_mask)).field("max_bytes", info.max_bytes);
}

}  // namespace kdp::cli
