// Built-in struct layouts for Mac OS X 10.7.3 (xnu-1699.24.23) x86_64, RELEASE and DEBUG kernels,
// written in code from xnu-layouts.md. They are picked from the kernel's version string:
//   "Darwin Kernel Version 11.3.0: ...; root:xnu-1699.24.23~1/RELEASE_X86_64"  (or /DEBUG_X86_64),
// as the `version` global holds it or as KDP_KERNELVERSION returns it ("...; UUID=...").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kdp/base/error.h"
#include "kgm/types.h"

namespace kdp::kgm {

enum class KernelConfig { kRelease, kDebug };

struct KernelBuild {
  std::string xnu;  // "1699.24.23"
  KernelConfig config = KernelConfig::kRelease;
  std::string config_name;  // "RELEASE_X86_64"
};

// Reads "root:xnu-<xnu>~<n>/<CONFIG>" out of a version string. kNotFound when it has none.
Expected<KernelBuild> parse_kernel_build(std::string_view version);

// The built-in provider for one configuration.
std::shared_ptr<const TypeProvider> xnu1699_layouts(KernelConfig config);

// The type model for a kernel, chosen from its version string. A kernel the built-in layouts do
// not describe is a kNotFound error that says so and how to supply types.
Expected<TypeModel> builtin_types_for(std::string_view version);

}  // namespace kdp::kgm
