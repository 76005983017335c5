#include "kgm/layouts_xnu1699.h"

#include "kgm/layouts_builder.h"

namespace kdp::kgm {
namespace {

constexpr std::string_view kSupportedXnu = "1699.24.23";

Error unknown_kernel(std::string_view version, std::string_view why) {
  return Error(ErrorKind::kNotFound,
               "no built-in struct layouts for this kernel (" + std::string(why) + "; version '" +
                   std::string(version) + "'): the built-in layouts cover xnu-" +
                   std::string(kSupportedXnu) +
                   " RELEASE_X86_64 and DEBUG_X86_64 (Mac OS X 10.7.3); supply types with "
                   "--types FILE.json (Volatility ISF) or the kernel's dSYM (--dsym, or KERNEL.dSYM beside --kernel)");
}

}  // namespace

Expected<KernelBuild> parse_kernel_build(std::string_view version) {
  size_t at = version.find("xnu-");
  if (at == std::string_view::npos) return unknown_kernel(version, "no 'xnu-' build tag");
  std::string_view rest = version.substr(at + 4);
  size_t tilde = rest.find('~');
  size_t slash = rest.find('/');
  if (tilde == std::string_view::npos || slash == std::string_view::npos || slash < tilde)
    return unknown_kernel(version, "build tag is not xnu-<version>~<n>/<CONFIG>");
  KernelBuild build;
  build.xnu = std::string(rest.substr(0, tilde));
  std::string_view config = rest.substr(slash + 1);
  config = config.substr(0, config.find_first_of("; \n"));
  build.config_name = std::string(config);
  if (config == "RELEASE_X86_64")
    build.config = KernelConfig::kRelease;
  else if (config == "DEBUG_X86_64")
    build.config = KernelConfig::kDebug;
  else
    return unknown_kernel(version, "kernel configuration " + build.config_name);
  return build;
}

std::shared_ptr<const TypeProvider> xnu1699_layouts(KernelConfig config) {
  bool debug = config == KernelConfig::kDebug;
  auto provider = std::make_shared<MapTypeProvider>(
      std::string("the built-in layouts for xnu-") + std::string(kSupportedXnu) +
      (debug ? " DEBUG_X86_64" : " RELEASE_X86_64"));
  layouts::add_bsd_layouts(*provider);
  layouts::add_mach_layouts(*provider, debug);
  layouts::add_small_layouts(*provider);
  return provider;
}

Expected<TypeModel> builtin_types_for(std::string_view version) {
  KDP_TRY(KernelBuild build, parse_kernel_build(version));
  if (build.xnu != kSupportedXnu) return unknown_kernel(version, "xnu-" + build.xnu);
  return TypeModel(xnu1699_layouts(build.config));
}

}  // namespace kdp::kgm
