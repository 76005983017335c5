// What LLDB reads out of the KDP_KERNELVERSION string (spec §6.3): the 36-character kernel UUID
// after "UUID=" (10.7+) and the KASLR text base after "stext=0x" (10.8+, only when slid).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kdp::client {

struct KernelVersionFields {
  std::optional<std::string> uuid;  // upper case, dashed
  std::optional<uint64_t> stext;
};

// Fields that are absent or malformed are left empty (a 10.6 kernel sends neither).
KernelVersionFields parse_kernel_version(std::string_view text);

}  // namespace kdp::client
