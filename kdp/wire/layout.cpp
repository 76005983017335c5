#include "kdp/wire/layout.h"

#include <array>

#include "kdp/wire/names.h"

namespace kdp::wire::detail {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

struct Shapes {
  size_t request;
  size_t reply;  // kNone: the kernel never answers and no reply layout exists
};

template <class Request, class Reply>
constexpr Shapes shapes() {
  return {body_index_of<Request>(), body_index_of<Reply>()};
}

// Spec §3.3, indexed by command code.
constexpr std::array<Shapes, kInvalidRequest> kShapes = {
    shapes<ConnectRequest, ErrorReply>(),              // 0x00 CONNECT
    shapes<Empty, Empty>(),                            // 0x01 DISCONNECT
    shapes<Empty, HostInfoReply>(),                    // 0x02 HOSTINFO
    shapes<Empty, VersionReply>(),                     // 0x03 VERSION
    shapes<Empty, MaxBytesReply>(),                    // 0x04 MAXBYTES
    shapes<MemReadRequest, DataReply>(),               // 0x05 READMEM
    shapes<MemWriteRequest, ErrorReply>(),             // 0x06 WRITEMEM
    shapes<ReadRegsRequest, DataReply>(),              // 0x07 READREGS
    shapes<WriteRegsRequest, ErrorReply>(),            // 0x08 WRITEREGS
    shapes<LoadRequest, ErrorReply>(),                 // 0x09 LOAD
    shapes<Empty, ImagePathReply>(),                   // 0x0a IMAGEPATH
    shapes<Empty, Empty>(),                            // 0x0b SUSPEND
    shapes<ResumeRequest, Empty>(),                    // 0x0c RESUMECPUS
    shapes<ExceptionNotification, Empty>(),            // 0x0d EXCEPTION (+ ack)
    shapes<TerminationNotification, Empty>(),          // 0x0e TERMINATION (+ ack)
    shapes<BreakpointRequest, ErrorReply>(),           // 0x0f BREAKPOINT_SET
    shapes<BreakpointRequest, ErrorReply>(),           // 0x10 BREAKPOINT_REMOVE
    shapes<Empty, RegionsReply>(),                     // 0x11 REGIONS
    shapes<ReattachRequest, Empty>(),                  // 0x12 REATTACH
    {body_index_of<Empty>(), kNone},                   // 0x13 HOSTREBOOT: the machine restarts
    shapes<MemReadRequest, DataReply>(),               // 0x14 READMEM64
    shapes<MemWriteRequest, ErrorReply>(),             // 0x15 WRITEMEM64
    shapes<BreakpointRequest, ErrorReply>(),           // 0x16 BREAKPOINT64_SET
    shapes<BreakpointRequest, ErrorReply>(),           // 0x17 BREAKPOINT64_REMOVE
    shapes<Empty, KernelVersionReply>(),               // 0x18 KERNELVERSION
    shapes<PhysReadRequest, DataReply>(),              // 0x19 READPHYSMEM64
    shapes<PhysWriteRequest, ErrorReply>(),            // 0x1a WRITEPHYSMEM64
    shapes<IoPortReadRequest, DataReply>(),            // 0x1b READIOPORT
    shapes<IoPortWriteRequest, ErrorReply>(),          // 0x1c WRITEIOPORT
    shapes<MsrReadRequest, MsrReadReply>(),            // 0x1d READMSR64
    shapes<MsrWriteRequest, ErrorReply>(),             // 0x1e WRITEMSR64
    shapes<DumpInfo, DumpInfo>(),                      // 0x1f DUMPINFO
};

constexpr std::array<std::string_view, std::variant_size_v<Body>> kBodyTypeNames = {
    "Empty",           "ConnectRequest",     "ReattachRequest",       "MemReadRequest",
    "PhysReadRequest", "MemWriteRequest",    "PhysWriteRequest",      "ReadRegsRequest",
    "WriteRegsRequest", "LoadRequest",       "ResumeRequest",         "BreakpointRequest",
    "IoPortReadRequest", "IoPortWriteRequest", "MsrReadRequest",      "MsrWriteRequest",
    "DumpInfo",        "ExceptionNotification", "TerminationNotification", "ErrorReply",
    "HostInfoReply",   "VersionReply",       "MaxBytesReply",         "DataReply",
    "MsrReadReply",    "RegionsReply",       "ImagePathReply",        "KernelVersionReply",
};
static_assert(body_index_of<KernelVersionReply>() == kBodyTypeNames.size() - 1,
              "kBodyTypeNames must list every Body alternative in order");

bool is_notification(Command command) {
  return command == Command::kException || command == Command::kTermination;
}

}  // namespace

std::optional<size_t> expected_body(uint8_t code, bool is_reply) {
  if (code >= kShapes.size()) return std::nullopt;
  size_t index = is_reply ? kShapes[code].reply : kShapes[code].request;
  if (index == kNone) return std::nullopt;
  return index;
}

std::string_view body_type_name(size_t index) {
  return index < kBodyTypeNames.size() ? kBodyTypeNames[index] : "?";
}

bool has_u32_address(Command command) {
  switch (command) {
    case Command::kReadMem:
    case Command::kWriteMem:
    case Command::kBreakpointSet:
    case Command::kBreakpointRemove:
      return true;
    default:
      return false;
  }
}

std::string packet_label(Command command, bool is_reply) {
  std::string_view direction = is_notification(command) ? (is_reply ? "ack" : "notification")
                                                         : (is_reply ? "reply" : "request");
  return command_name(command) + " " + std::string(direction);
}

}  // namespace kdp::wire::detail
