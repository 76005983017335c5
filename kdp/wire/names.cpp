#include "kdp/wire/names.h"

#include <array>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kdp/wire/packet.h"

namespace kdp::wire {
namespace {

constexpr std::array<std::string_view, kInvalidRequest> kCommandNames = {
    "KDP_CONNECT",           "KDP_DISCONNECT",          "KDP_HOSTINFO",
    "KDP_VERSION",           "KDP_MAXBYTES",            "KDP_READMEM",
    "KDP_WRITEMEM",          "KDP_READREGS",            "KDP_WRITEREGS",
    "KDP_LOAD",              "KDP_IMAGEPATH",           "KDP_SUSPEND",
    "KDP_RESUMECPUS",        "KDP_EXCEPTION",           "KDP_TERMINATION",
    "KDP_BREAKPOINT_SET",    "KDP_BREAKPOINT_REMOVE",   "KDP_REGIONS",
    "KDP_REATTACH",          "KDP_HOSTREBOOT",          "KDP_READMEM64",
    "KDP_WRITEMEM64",        "KDP_BREAKPOINT64_SET",    "KDP_BREAKPOINT64_REMOVE",
    "KDP_KERNELVERSION",     "KDP_READPHYSMEM64",       "KDP_WRITEPHYSMEM64",
    "KDP_READIOPORT",        "KDP_WRITEIOPORT",         "KDP_READMSR64",
    "KDP_WRITEMSR64",        "KDP_DUMPINFO",
};

// Index = Mach exception number; 0 is not an exception.
constexpr std::array<std::string_view, 11> kExceptionNames = {
    "",           "EXC_BAD_ACCESS", "EXC_BAD_INSTRUCTION", "EXC_ARITHMETIC",
    "EXC_EMULATION", "EXC_SOFTWARE", "EXC_BREAKPOINT",     "EXC_SYSCALL",
    "EXC_MACH_SYSCALL", "EXC_RPC_ALERT", "EXC_CRASH",
};

constexpr std::array<std::string_view, 5> kTerminationNames = {
    "KDP_FAULT", "KDP_EXIT", "KDP_POWEROFF", "KDP_REBOOT", "KDP_COMMAND_MODE",
};

}  // namespace

std::string command_name(uint8_t code) {
  if (code < kCommandNames.size()) return std::string(kCommandNames[code]);
  return "KDP_UNKNOWN(" + hex(code) + ")";
}

std::string error_name(uint32_t error) {
  switch (static_cast<KdpError>(error)) {
    case KdpError::kNoError: return "KDPERR_NO_ERROR";
    case KdpError::kAlreadyConnected: return "KDPERR_ALREADY_CONNECTED";
    case KdpError::kBadNbytes: return "KDPERR_BAD_NBYTES";
    case KdpError::kBadFlavor: return "KDPERR_BADFLAVOR";
    case KdpError::kBadAccess: return "KDPERR_BAD_ACCESS";
    case KdpError::kMaxBreakpoints: return "KDPERR_MAX_BREAKPOINTS";
    case KdpError::kBreakpointNotFound: return "KDPERR_BREAKPOINT_NOT_FOUND";
    case KdpError::kBreakpointAlreadySet: return "KDPERR_BREAKPOINT_ALREADY_SET";
  }
  return "KDPERR(" + hex(error) + ")";
}

std::string exception_name(uint32_t exception) {
  if (exception != 0 && exception < kExceptionNames.size())
    return std::string(kExceptionNames[exception]);
  return "EXC(" + hex(exception) + ")";
}

std::string termination_name(uint32_t term_code) {
  if (term_code < kTerminationNames.size()) return std::string(kTerminationNames[term_code]);
  return "KDP_TERM(" + hex(term_code) + ")";
}

}  // namespace kdp::wire
