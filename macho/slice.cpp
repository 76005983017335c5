// Architecture selection: thin x86_64 files pass through; fat (universal) files, like the 10.7 KDK
// kernels with i386 and x86_64 slices, are searched for their x86_64 slice.
#include "macho/format.h"
#include "macho/layout.h"

namespace kdp::macho {
namespace {

std::string file_error_prefix(const ByteReader& file) { return std::string(file.what()) + ": "; }

struct FatArch {
  uint32_t cputype = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// fat_arch (20 bytes) or fat_arch_64 (32 bytes), big-endian.
Expected<FatArch> read_fat_arch(ByteReader& r, bool wide) {
  FatArch arch;
  KDP_TRY(arch.cputype, r.u32be("fat_arch.cputype"));
  KDP_TRY_STATUS(r.skip(4, "fat_arch.cpusubtype"));
  if (wide) {
    KDP_TRY(arch.offset, r.u64("fat_arch_64.offset", Endian::kBig));
    KDP_TRY(arch.size, r.u64("fat_arch_64.size", Endian::kBig));
    KDP_TRY_STATUS(r.skip(8, "fat_arch_64.align/reserved"));
  } else {
    KDP_TRY(arch.offset, r.u32be("fat_arch.offset"));
    KDP_TRY(arch.size, r.u32be("fat_arch.size"));
    KDP_TRY_STATUS(r.skip(4, "fat_arch.align"));
  }
  return arch;
}

Expected<Slice> select_from_fat(const ByteReader& file, bool wide) {
  ByteReader r = file;
  KDP_TRY_STATUS(r.skip(4, "fat_header.magic"));
  KDP_TRY(uint32_t count, r.u32be("fat_header.nfat_arch"));
  std::string found;
  for (uint32_t i = 0; i < count; ++i) {
    KDP_TRY(FatArch arch, read_fat_arch(r, wide));
    if (arch.cputype != kCpuTypeX86_64) {
      found += (found.empty() ? "" : ", ") + cpu_type_name(arch.cputype);
      continue;
    }
    if (arch.offset > file.size() || arch.size > file.size() - arch.offset)
      return malformed(file_error_prefix(file) + "x86_64 slice [" + hex(arch.offset) + ", +" +
                       hex(arch.size) + ") extends past the end of the file (size " +
                       hex(file.size()) + ")");
    return Slice{file.data().subspan(arch.offset, arch.size), arch.offset};
  }
  return Error(ErrorKind::kNotFound, file_error_prefix(file) + "fat file has no x86_64 slice (it holds: " +
                                         (found.empty() ? "nothing" : found) + ")");
}

}  // namespace

Expected<Slice> select_x86_64_slice(const ByteReader& file) {
  if (file.size() == 0) return malformed(file_error_prefix(file) + "empty file, not a Mach-O kernel");
  if (file.size() < 4)
    return malformed(file_error_prefix(file) + "not a Mach-O file (only " +
                     std::to_string(file.size()) + " bytes)");
  ByteReader big = file;
  ByteReader little = file;
  KDP_TRY(uint32_t magic_be, big.u32be("magic"));
  KDP_TRY(uint32_t magic, little.u32("magic"));
  if (magic_be == kFatMagic || magic_be == kFatMagic64)
    return select_from_fat(file, magic_be == kFatMagic64);
  if (magic == kMhMagic64) return Slice{file.data(), 0};  // cputype is checked by read_layout
  if (magic == kMhMagic)
    return Error(ErrorKind::kNotFound,
                 file_error_prefix(file) + "32-bit Mach-O file; kdpctl needs an x86_64 kernel");
  if (magic == kMhCigam || magic == kMhCigam64)
    return Error(ErrorKind::kNotFound, file_error_prefix(file) +
                                           "big-endian Mach-O file; kdpctl needs an x86_64 kernel");
  return malformed(file_error_prefix(file) + "not a Mach-O file (magic " + hex(magic_be) + ")");
}

}  // namespace kdp::macho
