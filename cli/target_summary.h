// What `reattach` and `connect` print about the kernel they reached, in text (LLDB's kdp-remote
// banner, roughly) or JSON.
#pragma once

#include <string>

#include "kdp/client/session.h"
#include "kdp/base/json.h"

namespace kdp::cli {

std::string target_summary_text(const client::TargetInfo& info, std::string_view how);
void target_summary_json(JsonWriter& j, const client::TargetInfo& info);

// "0x1 (kernel-managed breakpoints)" / "0x0".
std::string feature_text(uint32_t feature);
// Bits set in HOSTINFO cpus_mask.
int cpu_count(uint32_t cpus_mask);

}  // namespace kdp::cli
