// Readable names for what a KDP_EXCEPTION reports: the Mach exception type (kdp/wire/names.h)
// and, for x86, the trap number kdp_i386_trap passes as the code (spec §4.8), or the
// kern_return_t of a page fault.
#include <array>
#include <string_view>

#include "kdp/client/session.h"
#include "kdp/wire/names.h"

namespace kdp::client {
namespace {

// osfmk/mach/i386/exception.h: EXC_I386_*FLT are the trap numbers.
constexpr std::array<std::string_view, 18> kTrapNames = {
    "EXC_I386_DIVERR",   "EXC_I386_SGLSTP",   "EXC_I386_NMIFLT",    "EXC_I386_BPTFLT",
    "EXC_I386_INTOFLT",  "EXC_I386_BOUNDFLT", "EXC_I386_INVOPFLT",  "EXC_I386_NOEXTFLT",
    "EXC_I386_DBLFLT",   "EXC_I386_EXTOVRFLT", "EXC_I386_INVTSSFLT", "EXC_I386_SEGNPFLT",
    "EXC_I386_STKFLT",   "EXC_I386_GPFLT",    "EXC_I386_PGFLT",     "",
    "EXC_I386_EXTERRFLT", "EXC_I386_ALIGNFLT"};

constexpr std::array<std::string_view, 3> kKernReturnNames = {
    "KERN_SUCCESS", "KERN_INVALID_ADDRESS", "KERN_PROTECTION_FAILURE"};

template <size_t N>
std::string name_or_number(const std::array<std::string_view, N>& names, uint32_t value,
                           std::string_view fallback) {
  if (value < N && !names[value].empty()) return std::string(names[value]);
  return std::string(fallback) + "(" + std::to_string(value) + ")";
}

std::string code_text(uint32_t exception, uint32_t code) {
  if (exception == 1) return name_or_number(kKernReturnNames, code, "kern_return") + " " + std::to_string(code);
  return name_or_number(kTrapNames, code, "trap") + " " + std::to_string(code);
}

}  // namespace

std::string StopEvent::description() const {
  if (termination)
    return "KDP_TERMINATION (" + wire::termination_name(code) + ", exit code " +
           std::to_string(subcode) + ")";
  return wire::exception_name(exception) + " (code " + code_text(exception, code) +
         ", subcode " + hex(subcode) + ")";
}

}  // namespace kdp::client
