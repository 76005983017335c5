// Typed KDP packets (spec: ../shared/docs/kdp-protocol.md §2–§3). A Packet is a header plus a body
// whose C++ type is fixed by (command, is_reply); several commands share a body shape (READMEM and
// READMEM64 requests are both MemReadRequest, the header's command tells them apart). encode(),
// decode() and describe() in codec.h are the only code that touches wire bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kdp/base/bytes.h"

namespace kdp::wire {

inline constexpr uint16_t kKdpPort = 41139;          // KDP_REMOTE_PORT: the kernel's UDP port
inline constexpr uint32_t kMaxDataSize = 1024;       // MAX_KDP_DATA_SIZE
inline constexpr size_t kMaxPacketSize = 1472;       // one unfragmented Ethernet UDP payload
inline constexpr size_t kHeaderSize = 8;
inline constexpr uint32_t kFeatureBreakpoints = 1;   // KDP_FEATURE_BP
inline constexpr uint16_t kCurrentLcpu = 0xfffe;     // KDP_CURRENT_LCPU
inline constexpr uint32_t kThreadState64Flavor = 4;  // x86_THREAD_STATE64
inline constexpr uint32_t kFloatState64Flavor = 5;   // x86_FLOAT_STATE64
inline constexpr size_t kThreadState64Size = 168;
inline constexpr size_t kFloatState64Size = 524;

enum class Command : uint8_t {
  kConnect = 0x00,
  kDisconnect = 0x01,
  kHostInfo = 0x02,
  kVersion = 0x03,
  kMaxBytes = 0x04,
  kReadMem = 0x05,
  kWriteMem = 0x06,
  kReadRegs = 0x07,
  kWriteRegs = 0x08,
  kLoad = 0x09,
  kImagePath = 0x0a,
  kSuspend = 0x0b,
  kResumeCpus = 0x0c,
  kException = 0x0d,
  kTermination = 0x0e,
  kBreakpointSet = 0x0f,
  kBreakpointRemove = 0x10,
  kRegions = 0x11,
  kReattach = 0x12,
  kHostReboot = 0x13,
  kReadMem64 = 0x14,
  kWriteMem64 = 0x15,
  kBreakpointSet64 = 0x16,
  kBreakpointRemove64 = 0x17,
  kKernelVersion = 0x18,
  kReadPhysMem64 = 0x19,
  kWritePhysMem64 = 0x1a,
  kReadIoPort = 0x1b,
  kWriteIoPort = 0x1c,
  kReadMsr64 = 0x1d,
  kWriteMsr64 = 0x1e,
  kDumpInfo = 0x1f,
};
inline constexpr uint8_t kInvalidRequest = 0x20;  // codes >= this do not exist

// "KDP_READMEM64" for a known code, "KDP_UNKNOWN(0x25)" otherwise.
std::string command_name(uint8_t code);
inline std::string command_name(Command c) { return command_name(static_cast<uint8_t>(c)); }

// kdp_error_t
enum class KdpError : uint32_t {
  kNoError = 0,
  kAlreadyConnected = 1,
  kBadNbytes = 2,
  kBadFlavor = 3,
  kBadAccess = 4,  // xnu-2422 and later
  kMaxBreakpoints = 100,
  kBreakpointNotFound = 101,
  kBreakpointAlreadySet = 102,
};
// "KDPERR_BAD_NBYTES" for known values, "KDPERR(0x7)" otherwise.
std::string error_name(uint32_t error);

struct Header {
  Command command = Command::kConnect;
  bool is_reply = false;
  uint8_t seq = 0;
  uint16_t len = 0;  // filled in by encode(); checked against the datagram by decode()
  uint32_t key = 0;
  friend bool operator==(const Header&, const Header&) = default;
};

// ---- Bodies. Field names follow kdp_protocol.h. ----

struct Empty {  // header-only packets (most replies, HOSTINFO/VERSION/... requests, acks)
  friend bool operator==(const Empty&, const Empty&) = default;
};

struct ConnectRequest {      // 0x00
  uint16_t reply_port = 0;   // big-endian on the wire
  uint16_t exc_port = 0;     // big-endian on the wire
  std::string greeting;
  friend bool operator==(const ConnectRequest&, const ConnectRequest&) = default;
};
struct ReattachRequest {     // 0x12
  uint16_t reply_port = 0;   // big-endian on the wire
  friend bool operator==(const ReattachRequest&, const ReattachRequest&) = default;
};
struct MemReadRequest {      // 0x05 (u32 address, u32 nbytes) and 0x14 (u64 address)
  uint64_t address = 0;
  uint32_t nbytes = 0;
  friend bool operator==(const MemReadRequest&, const MemReadRequest&) = default;
};
struct PhysReadRequest {     // 0x19
  uint64_t address = 0;
  uint32_t nbytes = 0;
  uint16_t lcpu = kCurrentLcpu;
  friend bool operator==(const PhysReadRequest&, const PhysReadRequest&) = default;
};
struct MemWriteRequest {     // 0x06 and 0x15; nbytes on the wire = data.size()
  uint64_t address = 0;
  Bytes data;
  friend bool operator==(const MemWriteRequest&, const MemWriteRequest&) = default;
};
struct PhysWriteRequest {    // 0x1a
  uint64_t address = 0;
  uint16_t lcpu = kCurrentLcpu;
  Bytes data;
  friend bool operator==(const PhysWriteRequest&, const PhysWriteRequest&) = default;
};
struct ReadRegsRequest {     // 0x07
  uint32_t cpu = 0;
  uint32_t flavor = kThreadState64Flavor;
  friend bool operator==(const ReadRegsRequest&, const ReadRegsRequest&) = default;
};
struct WriteRegsRequest {    // 0x08
  uint32_t cpu = 0;
  uint32_t flavor = kThreadState64Flavor;
  Bytes state;
  friend bool operator==(const WriteRegsRequest&, const WriteRegsRequest&) = default;
};
struct LoadRequest {         // 0x09
  std::string file_args;
  friend bool operator==(const LoadRequest&, const LoadRequest&) = default;
};
struct ResumeRequest {       // 0x0c
  uint32_t cpu_mask = 0;
  friend bool operator==(const ResumeRequest&, const ResumeRequest&) = default;
};
struct BreakpointRequest {   // 0x0f/0x10 (u32 address) and 0x16/0x17 (u64 address)
  uint64_t address = 0;
  friend bool operator==(const BreakpointRequest&, const BreakpointRequest&) = default;
};
struct IoPortReadRequest {   // 0x1b
  uint16_t lcpu = kCurrentLcpu;
  uint16_t port = 0;
  uint16_t nbytes = 0;
  friend bool operator==(const IoPortReadRequest&, const IoPortReadRequest&) = default;
};
struct IoPortWriteRequest {  // 0x1c; nbytes on the wire = data.size()
  uint16_t lcpu = kCurrentLcpu;
  uint16_t port = 0;
  Bytes data;
  friend bool operator==(const IoPortWriteRequest&, const IoPortWriteRequest&) = default;
};
struct MsrReadRequest {      // 0x1d
  uint32_t msr = 0;
  uint16_t lcpu = kCurrentLcpu;
  friend bool operator==(const MsrReadRequest&, const MsrReadRequest&) = default;
};
struct MsrWriteRequest {     // 0x1e
  uint32_t msr = 0;
  uint16_t lcpu = kCurrentLcpu;
  uint64_t value = 0;
  friend bool operator==(const MsrWriteRequest&, const MsrWriteRequest&) = default;
};
struct DumpInfo {            // 0x1f, request and reply alike (98 bytes)
  std::string name;          // 50-byte field
  std::string destip;        // 16-byte field
  std::string routerip;      // 16-byte field
  uint32_t port = 0;
  uint32_t type = 0;
  friend bool operator==(const DumpInfo&, const DumpInfo&) = default;
};
struct ExceptionInfo {
  uint32_t cpu = 0;
  uint32_t exception = 0;
  uint32_t code = 0;
  uint32_t subcode = 0;
  friend bool operator==(const ExceptionInfo&, const ExceptionInfo&) = default;
};
struct ExceptionNotification {  // 0x0d, kernel -> debugger
  std::vector<ExceptionInfo> exceptions;
  friend bool operator==(const ExceptionNotification&, const ExceptionNotification&) = default;
};
struct TerminationNotification {  // 0x0e
  uint32_t term_code = 0;
  uint32_t exit_code = 0;
  friend bool operator==(const TerminationNotification&, const TerminationNotification&) = default;
};

struct ErrorReply {          // CONNECT, WRITEMEM*, WRITEREGS, BREAKPOINT*, WRITEIOPORT, WRITEMSR64, LOAD
  uint32_t error = 0;
  friend bool operator==(const ErrorReply&, const ErrorReply&) = default;
};
struct HostInfoReply {       // 0x02
  uint32_t cpus_mask = 0;
  uint32_t cpu_type = 0;
  uint32_t cpu_subtype = 0;
  friend bool operator==(const HostInfoReply&, const HostInfoReply&) = default;
};
struct VersionReply {        // 0x03; pad0/pad1 are leftover buffer bytes in xnu, never interpret them
  uint32_t version = 0;
  uint32_t feature = 0;
  uint32_t pad0 = 0;
  uint32_t pad1 = 0;
  friend bool operator==(const VersionReply&, const VersionReply&) = default;
};
struct MaxBytesReply {       // 0x04
  uint32_t max_bytes = 0;
  friend bool operator==(const MaxBytesReply&, const MaxBytesReply&) = default;
};
struct DataReply {           // READMEM, READMEM64, READPHYSMEM64, READREGS, READIOPORT: error + data
  uint32_t error = 0;
  Bytes data;
  friend bool operator==(const DataReply&, const DataReply&) = default;
};
struct MsrReadReply {        // 0x1d: value present only on success
  uint32_t error = 0;
  std::optional<uint64_t> value;
  friend bool operator==(const MsrReadReply&, const MsrReadReply&) = default;
};
struct Region {
  uint32_t address = 0;
  uint32_t nbytes = 0;
  uint32_t protection = 0;
  friend bool operator==(const Region&, const Region&) = default;
};
struct RegionsReply {        // 0x11
  std::vector<Region> regions;
  friend bool operator==(const RegionsReply&, const RegionsReply&) = default;
};
struct ImagePathReply {      // 0x0a (never sent by xnu)
  std::string path;
  friend bool operator==(const ImagePathReply&, const ImagePathReply&) = default;
};
struct KernelVersionReply {  // 0x18
  std::string version;
  friend bool operator==(const KernelVersionReply&, const KernelVersionReply&) = default;
};

using Body = std::variant<Empty, ConnectRequest, ReattachRequest, MemReadRequest, PhysReadRequest,
                          MemWriteRequest, PhysWriteRequest, ReadRegsRequest, WriteRegsRequest,
                          LoadRequest, ResumeRequest, BreakpointRequest, IoPortReadRequest,
                          IoPortWriteRequest, MsrReadRequest, MsrWriteRequest, DumpInfo,
                          ExceptionNotification, TerminationNotification, ErrorReply, HostInfoReply,
                          VersionReply, MaxBytesReply, DataReply, MsrReadReply, RegionsReply,
                          ImagePathReply, KernelVersionReply>;

struct Packet {
  Header header;
  Body body;
  friend bool operator==(const Packet&, const Packet&) = default;
};

// Convenience constructors; len is left for encode().
inline Packet make_request(Command c, uint8_t seq, uint32_t key, Body body = Empty{}) {
  return Packet{Header{c, false, seq, 0, key}, std::move(body)};
}
inline Packet make_reply(Command c, uint8_t seq, uint32_t key, Body body = Empty{}) {
  return Packet{Header{c, true, seq, 0, key}, std::move(body)};
}

}  // namespace kdp::wire
