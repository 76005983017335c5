// Does this kernel file belong to the running kernel, and where is it loaded? The running kernel
// answers both in its KDP_KERNELVERSION string (kdp-protocol.md §6.3): "; UUID=<36 chars>" (10.7+)
// and "; stext=0x…" (10.8+, only when slid). kdp::client::parse_kernel_version() extracts those
// fields; these functions compare them with the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "kdp/base/error.h"
#include "macho/kernel_image.h"

namespace kdp::macho {

enum class UuidCheck {
  kMatch,        // both UUIDs present and equal
  kNotReported,  // the running kernel sent no UUID (10.6 and older): nothing to compare
};

// An Error naming both UUIDs when they differ, when the kernel reports one and the file has
// none, or when the reported text is not a UUID. The CLI lets the user override it (--force).
Expected<UuidCheck> check_uuid(std::optional<std::string_view> running_uuid, const KernelImage& image);

// slide = stext - the file's __TEXT vmaddr, or 0 without stext. Fails when stext lies below the
// file's __TEXT (kernels only slide upwards) or the file has no __TEXT.
Expected<uint64_t> compute_slide(std::optional<uint64_t> stext, const KernelImage& image);

}  // namespace kdp::macho
