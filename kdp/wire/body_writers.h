// Internal to kdp_wire: one write_body() overload per Body shape, split by direction over
// encode_requests.cpp and encode_replies.cpp, plus the checked writes they share.
#pragma once

#include <string>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/wire/packet.h"

namespace kdp::wire::detail {

// The bytes being built plus what the body writers need to know about the packet.
struct BodyWriter {
  Command command;
  std::string label;  // "KDP_READMEM request", for errors
  ByteWriter out;

  // u32 for the 32-bit commands (fails above 4 GiB), else u64.
  Status address(uint64_t address);
  // NUL-terminated; fails on an embedded NUL, which would end the string early on the wire.
  Status c_string(std::string_view s, std::string_view field);
  // Exactly `width` bytes, NUL-padded; fails when too long or when it holds a NUL.
  Status fixed_string(std::string_view s, size_t width, std::string_view field);
};

Status write_body(const Empty&, BodyWriter& w);
Status write_body(const ConnectRequest& b, BodyWriter& w);
Status write_body(const ReattachRequest& b, BodyWriter& w);
Status write_body(const MemReadRequest& b, BodyWriter& w);
Status write_body(const PhysReadRequest& b, BodyWriter& w);
Status write_body(const MemWriteRequest& b, BodyWriter& w);
Status write_body(const PhysWriteRequest& b, BodyWriter& w);
Status write_body(const ReadRegsRequest& b, BodyWriter& w);
Status write_body(const WriteRegsRequest& b, BodyWriter& w);
Status write_body(const LoadRequest& b, BodyWriter& w);
Status write_body(const ResumeRequest& b, BodyWriter& w);
Status write_body(const BreakpointRequest& b, BodyWriter& w);
Status write_body(const IoPortReadRequest& b, BodyWriter& w);
Status write_body(const IoPortWriteRequest& b, BodyWriter& w);
Status write_body(const MsrReadRequest& b, BodyWriter& w);
Status write_body(const MsrWriteRequest& b, BodyWriter& w);
Status write_body(const DumpInfo& b, BodyWriter& w);
Status write_body(const ExceptionNotification& b, BodyWriter& w);
Status write_body(const TerminationNotification& b, BodyWriter& w);

Status write_body(const ErrorReply& b, BodyWriter& w);
Status write_body(const HostInfoReply& b, BodyWriter& w);
Status write_body(const VersionReply& b, BodyWriter& w);
Status write_body(const MaxBytesReply& b, BodyWriter& w);
Status write_body(const DataReply& b, BodyWriter& w);
Status write_body(const MsrReadReply& b, BodyWriter& w);
Status write_body(const RegionsReply& b, BodyWriter& w);
Status write_body(const ImagePathReply& b, BodyWriter& w);
Status write_body(const KernelVersionReply& b, BodyWriter& w);

}  // namespace kdp::wire::detail
