#include "macho/kernel_match.h"

#include <string>

namespace kdp::macho {

Expected<UuidCheck> check_uuid(std::optional<std::string_view> running_uuid, const KernelImage& image) {
  if (!running_uuid) return UuidCheck::kNotReported;
  std::optional<Uuid> running = parse_uuid(*running_uuid);
  if (!running)
    return malformed("KERNELVERSION: UUID '" + std::string(*running_uuid) +
                     "' is not 8-4-4-4-12 hex digits");
  if (!image.uuid())
    return Error(ErrorKind::kUsage, "the running kernel has UUID " + format_uuid(*running) + " but " +
                                        image.path() + " has no LC_UUID to compare");
  if (*image.uuid() != *running)
    return Error(ErrorKind::kUsage, "kernel UUID mismatch: the running kernel has UUID " +
                                        format_uuid(*running) + ", " + image.path() + " has UUID " +
                                        format_uuid(*image.uuid()) + "; its symbols would be wrong");
  return UuidCheck::kMatch;
}

Expected<uint64_t> compute_slide(std::optional<uint64_t> stext, const KernelImage& image) {
  if (!stext) return uint64_t{0};
  auto text = image.file_text_vmaddr();
  if (!text)
    return malformed(image.path() + ": no __TEXT segment to compute the slide from stext " + hex(*stext));
  if (*stext < *text)
    return malformed("stext " + hex(*stext) + " lies below " + image.path() + "'s __TEXT vmaddr " +
                     hex(*text) + "; kernels only slide upwards");
  return *stext - *text;
}

}  // namespace kdp::macho
