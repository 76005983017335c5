// Machine-dependent requests (xnu kdp_machdep.c, kdp_x86_common.c): registers, VERSION, I/O
// ports, MSRs, DUMPINFO.
#include "kdp/stub/stub_engine.h"

#include <algorithm>

namespace kdp::stub {
namespace {

using wire::KdpError;

constexpr uint32_t code(KdpError e) { return static_cast<uint32_t>(e); }
constexpr size_t kCsIndex = 18, kFsIndex = 19, kGsIndex = 20;
constexpr uint32_t kDumpInfoMask = 0xfff, kDumpInfoGetInfo = 0, kDumpInfoDisable = 0x105;
constexpr uint32_t kDumpInfoNoResume = 0x20000000;
constexpr uint32_t kMsrTsc = 0x10;

bool valid_ioport_width(size_t n) { return n == 1 || n == 2 || n == 4; }

}  // namespace

std::optional<StubEngine::Reply> StubEngine::on_read_regs(const wire::Packet& rq) {
  const auto* r = std::get_if<wire::ReadRegsRequest>(&rq.body);
  if (r == nullptr) return std::nullopt;
  switch (r->flavor) {  // `cpu` is ignored: the state is always the trapping CPU's
    case wire::kThreadState64Flavor:
      if (!config_.registers_known) return reply_to(rq, wire::DataReply{code(KdpError::kBadFlavor), {}});
      return reply_to(rq, wire::DataReply{0, registers_.encode()});
    case wire::kFloatState64Flavor:  // xnu returns zeros for the FP state
      return reply_to(rq, wire::DataReply{0, Bytes(wire::kFloatState64Size, 0)});
    default:
      return reply_to(rq, wire::DataReply{code(KdpError::kBadFlavor), {}});
  }
}

std::optional<StubEngine::Reply> StubEngine::on_write_regs(const wire::Packet& rq) {
  const auto* r = std::get_if<wire::WriteRegsRequest>(&rq.body);
  if (r == nullptr) return std::nullopt;
  if (r->flavor == wire::kFloatState64Flavor) return reply_to(rq, wire::ErrorReply{0});  // ignored
  if (r->flavor != wire::kThreadState64Flavor)
    return reply_to(rq, wire::ErrorReply{code(KdpError::kBadFlavor)});
  // xnu copies 168 bytes whatever the request's length; a short state keeps the current values
  // past its end (the leftover bytes xnu would read are not knowable).
  Bytes state = registers_.encode();
  std::copy_n(r->state.begin(), std::min(r->state.size(), state.size()), state.begin());
  auto written = wire::X86ThreadState64::decode(state);
  if (!written) return std::nullopt;
  uint64_t cs = registers_.regs[kCsIndex];
  registers_ = *written;
  config_.registers_known = true;
  registers_.regs[kCsIndex] = cs;  // kdp_setstate does not write cs
  registers_.regs[kFsIndex] &= 0xffffffff;  // fs/gs are stored as 32-bit selectors
  registers_.regs[kGsIndex] &= 0xffffffff;
  return reply_to(rq, wire::ErrorReply{0});
}

std::optional<StubEngine::Reply> StubEngine::on_version(const wire::Packet& rq) const {
  // pad0/pad1 are never written by xnu: they are whatever the packet buffer held at offsets 16-23
  // (with LLDB, part of the CONNECT greeting).
  ByteReader leftovers(ByteView(packet_buffer_).subspan(16), "packet buffer", 16);
  auto pad0 = leftovers.u32("pad0");
  auto pad1 = leftovers.u32("pad1");
  return reply_to(rq, wire::VersionReply{config_.version, config_.feature, pad0 ? *pad0 : 0,
                                         pad1 ? *pad1 : 0});
}

std::optional<StubEngine::Reply> StubEngine::on_read_ioport(const wire::Packet& rq) {
  const auto* r = std::get_if<wire::IoPortReadRequest>(&rq.body);
  if (r == nullptr) return std::nullopt;
  if (r->nbytes > wire::kMaxDataSize) return reply_to(rq, wire::DataReply{code(KdpError::kBadNbytes), {}});
  if (!valid_ioport_width(r->nbytes)) return reply_to(rq, wire::DataReply{code(KdpError::kBadFlavor), {}});
  Bytes data;
  for (uint16_t i = 0; i < r->nbytes; ++i) {
    auto it = io_ports_.find(static_cast<uint16_t>(r->port + i));
    data.push_back(it == io_ports_.end() ? 0xff : it->second);  // a floating bus reads all ones
  }
  return reply_to(rq, wire::DataReply{0, std::move(data)});
}

std::optional<StubEngine::Reply> StubEngine::on_write_ioport(const wire::Packet& rq) {
  const auto* r = std::get_if<wire::IoPortWriteRequest>(&rq.body);
  if (r == nullptr) return std::nullopt;
  if (r->data.size() > wire::kMaxDataSize) return reply_to(rq, wire::ErrorReply{code(KdpError::kBadNbytes)});
  if (!valid_ioport_width(r->data.size())) return reply_to(rq, wire::ErrorReply{code(KdpError::kBadFlavor)});
  for (size_t i = 0; i < r->data.size(); ++i) io_ports_[static_cast<uint16_t>(r->port + i)] = r->data[i];
  return reply_to(rq, wire::ErrorReply{0});
}

std::optional<StubEngine::Reply> StubEngine::on_read_msr(const wire::Packet& rq, Time now) const {
  const auto* r = std::get_if<wire::MsrReadRequest>(&rq.body);
  if (r == nullptr) return std::nullopt;
  uint64_t value = 0;
  if (r->msr == kMsrTsc) {
    value = static_cast<uint64_t>(now.count()) * 12 / 5;  // a 2.4 GHz time-stamp counter
  } else if (auto it = msrs_.find(r->msr); it != msrs_.end()) {
    value = it->second;
  }
  return reply_to(rq, wire::MsrReadReply{0, value});
}

std::optional<StubEngine::Reply> StubEngine::on_write_msr(const wire::Packet& rq) {
  const auto* r = std::get_if<wire::MsrWriteRequest>(&rq.body);
  if (r == nullptr) return std::nullopt;
  msrs_[r->msr] = r->value;
  return reply_to(rq, wire::ErrorReply{0});
}

std::optional<StubEngine::Reply> StubEngine::on_dumpinfo(const wire::Packet& rq) {
  const auto* r = std::get_if<wire::DumpInfo>(&rq.body);
  if (r == nullptr) return std::nullopt;
  if ((r->type & kDumpInfoMask) != kDumpInfoGetInfo) {  // kdp_set_dump_info
    if (!r->destip.empty()) dump_info_.destip = r->destip;
    if (!r->routerip.empty()) dump_info_.routerip = r->routerip;
    dump_info_.name = r->name;
    if (r->port != 0) dump_info_.port = r->port;
    noresume_on_disconnect_ = (r->type & kDumpInfoNoResume) != 0;
  }
  wire::DumpInfo info = dump_info_;  // the simulator has no kdumpd server
  info.type = kDumpInfoDisable | (noresume_on_disconnect_ ? kDumpInfoNoResume : 0);
  return reply_to(rq, std::move(info));
}

}  // namespace kdp::stub
