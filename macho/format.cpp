#include "macho/format.h"

#include "kdp/base/bytes.h"

namespace kdp::macho {

std::string cpu_type_name(uint32_t cputype) {
  switch (cputype) {
    case kCpuTypeX86_64: return "x86_64";
    case kCpuTypeX86: return "i386";
    case kCpuTypeArm64: return "arm64";
    case kCpuTypeArm: return "arm";
    case kCpuTypePowerPc: return "ppc";
    case kCpuTypePowerPc | kCpuArchAbi64: return "ppc64";
    default: return "cputype " + hex(cputype);
  }
}

std::string load_command_name(uint32_t cmd) {
  switch (cmd) {
    case kLcSegment: return "LC_SEGMENT";
    case kLcSymtab: return "LC_SYMTAB";
    case kLcUnixThread: return "LC_UNIXTHREAD";
    case kLcDysymtab: return "LC_DYSYMTAB";
    case kLcSegment64: return "LC_SEGMENT_64";
    case kLcUuid: return "LC_UUID";
    default: return "cmd " + hex(cmd);
  }
}

}  // namespace kdp::macho
