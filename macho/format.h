// Mach-O numbers the kernel loader and the test-kernel writer share (values from <mach-o/loader.h>,
// <mach-o/fat.h>, <mach-o/nlist.h>, <mach/machine.h>; see xnu-layouts.md §10). Only what a
// 64-bit x86 kernel needs; everything else is skipped by cmdsize.
#pragma once

#include <cstdint>
#include <string>

namespace kdp::macho {

inline constexpr uint32_t kMhMagic64 = 0xfeedfacf;   // mach_header_64, little-endian
inline constexpr uint32_t kMhCigam64 = 0xcffaedfe;   // the same, byte-swapped (big-endian file)
inline constexpr uint32_t kMhMagic = 0xfeedface;     // 32-bit mach_header
inline constexpr uint32_t kMhCigam = 0xcefaedfe;
inline constexpr uint32_t kFatMagic = 0xcafebabe;    // fat_header, always big-endian
inline constexpr uint32_t kFatMagic64 = 0xcafebabf;  // fat_arch_64 (never used for kernels)

inline constexpr uint32_t kCpuTypeX86 = 7;
inline constexpr uint32_t kCpuArchAbi64 = 0x01000000;
inline constexpr uint32_t kCpuTypeX86_64 = kCpuTypeX86 | kCpuArchAbi64;
inline constexpr uint32_t kCpuTypeArm = 12;
inline constexpr uint32_t kCpuTypeArm64 = kCpuTypeArm | kCpuArchAbi64;
inline constexpr uint32_t kCpuTypePowerPc = 18;
inline constexpr uint32_t kCpuSubtypeX86_64All = 3;
inline constexpr uint32_t kCpuSubtypeI386All = 3;

inline constexpr uint32_t kMhExecute = 2;
inline constexpr uint32_t kMhDsym = 0xa;
inline constexpr uint32_t kMhBundle = 8;
inline constexpr uint32_t kMhKextBundle = 0xb;
inline constexpr uint32_t kMhNoUndefs = 0x1;

inline constexpr uint32_t kLcSegment = 0x1;
inline constexpr uint32_t kLcSymtab = 0x2;
inline constexpr uint32_t kLcUnixThread = 0x5;
inline constexpr uint32_t kLcDysymtab = 0xb;
inline constexpr uint32_t kLcSegment64 = 0x19;
inline constexpr uint32_t kLcUuid = 0x1b;

inline constexpr uint64_t kMachHeader64Size = 32;
inline constexpr uint64_t kMachHeaderSize = 28;
inline constexpr uint64_t kFatHeaderSize = 8;
inline constexpr uint64_t kFatArchSize = 20;
inline constexpr uint64_t kSegmentCommand64Size = 72;
inline constexpr uint64_t kSection64Size = 80;
inline constexpr uint64_t kSymtabCommandSize = 24;
inline constexpr uint64_t kDysymtabCommandSize = 80;
inline constexpr uint64_t kUuidCommandSize = 24;
inline constexpr uint64_t kNlist64Size = 16;

// LC_UNIXTHREAD state for x86_64: flavor x86_THREAD_STATE64, 42 32-bit words (168 bytes), with
// rip after the 16 general registers.
inline constexpr uint32_t kX86ThreadState64Flavor = 4;
inline constexpr uint32_t kX86ThreadState64Count = 42;
inline constexpr uint64_t kX86ThreadState64RipOffset = 16 * 8;

// Section types (low byte of section_64.flags) whose bytes are not in the file.
inline constexpr uint32_t kSectionTypeMask = 0xff;
inline constexpr uint32_t kSZerofill = 0x1;
inline constexpr uint32_t kSGbZerofill = 0xc;
inline constexpr uint32_t kSThreadLocalZerofill = 0x12;
inline constexpr uint32_t kSAttrPureInstructions = 0x80000000;
inline constexpr uint32_t kSAttrSomeInstructions = 0x400;

// nlist_64.n_type bits.
inline constexpr uint8_t kNStab = 0xe0;  // any of these set: a debugger (STABS) entry
inline constexpr uint8_t kNPext = 0x10;
inline constexpr uint8_t kNTypeMask = 0x0e;
inline constexpr uint8_t kNExt = 0x01;
inline constexpr uint8_t kNUndf = 0x0;
inline constexpr uint8_t kNAbs = 0x2;
inline constexpr uint8_t kNIndr = 0xa;
inline constexpr uint8_t kNSect = 0xe;
inline constexpr uint8_t kNOso = 0x66;  // STABS: object file name (debug map)
inline constexpr uint8_t kNFun = 0x24;  // STABS: function

inline bool is_zero_fill(uint32_t section_flags) {
  uint32_t type = section_flags & kSectionTypeMask;
  return type == kSZerofill || type == kSGbZerofill || type == kSThreadLocalZerofill;
}

// "x86_64", "i386", "arm64", ... or "cputype 0x…" for the rest; used in arch-selection errors.
std::string cpu_type_name(uint32_t cputype);
// "LC_SEGMENT_64", "LC_SYMTAB", ... or "cmd 0x…".
std::string load_command_name(uint32_t cmd);

}  // namespace kdp::macho
