#include "cli/core/stop_report.h"

#include "kdp/base/bytes.h"
#include "cli/core/number.h"

namespace kdp::cli {

std::string gdb_frame_line(uint64_t pc, const SymbolLookup& symbols) {
  return hex_padded(pc) + " in " + gdb_function_name(pc, symbols) + " ()";
}

std::string gdb_breakpoint_line(int number, uint64_t pc, const SymbolLookup& symbols, bool temporary) {
  return (temporary ? "Temporary breakpoint " : "Breakpoint ") + std::to_string(number) + ", " + gdb_frame_line(pc, symbols);
}

std::string cpu_type_name(uint32_t cpu_type) {
  constexpr uint32_t kAbi64 = 0x01000000;
  switch (cpu_type) {
    case 7: return "i386";
    case 7 | kAbi64: return "x86_64";
    case 12: return "arm";
    case 12 | kAbi64: return "arm64";
    case 18: return "ppc";
    case 18 | kAbi64: return "ppc64";
    default: return "cpu type " + hex(cpu_type);
  }
}

}  // namespace kdp::cli
