// Memory transfers: split at MAXBYTES (at most 1024 bytes per request, spec §1.5), a short reply
// names the first address the kernel could not read (xnu-1699 answers error 0 with fewer bytes,
// xnu-2422+ error 4 with the bytes it did read, spec §3.3).
#include <algorithm>

#include "kdp/client/kdp_session.h"

namespace kdp::client {

using wire::Command;


namespace {

Status check_range(const MemorySpace& space, uint64_t address, uint64_t size) {
  if (size == 0) return {};
  if (address > space.limit || size - 1 > space.limit - address)
    return usage_error("the range " + hex(address) + " + " + std::to_string(size) +
                       " is outside what " + wire::command_name(space.read) + " can address");
  return {};
}

std::string range_text(const MemorySpace& space, std::string_view verb, uint64_t address, uint64_t size) {
  return std::string(verb) + " " + space.noun() + hex(address) + " (" + std::to_string(size) + " bytes)";
}

}  // namespace

MemorySpace KdpSession::virtual_space() const {
  if (info_.version >= 11) return MemorySpace{Command::kReadMem64, Command::kWriteMem64};
  return MemorySpace{Command::kReadMem, Command::kWriteMem, false, wire::kCurrentLcpu, UINT32_MAX};
}

Expected<MemorySpace> KdpSession::physical_space(uint16_t lcpu) const {
  if (info_.version < 12)
    return usage_error("physical memory needs KDP version 12; " + label() + " speaks version " +
                       std::to_string(info_.version));
  return MemorySpace{Command::kReadPhysMem64, Command::kWritePhysMem64, true, lcpu};
}

uint32_t KdpSession::chunk_size() const {
  if (info_.max_bytes == 0) return wire::kMaxDataSize;
  return std::min(info_.max_bytes, wire::kMaxDataSize);
}

Expected<Bytes> KdpSession::read_memory(uint64_t address, uint64_t size, ProgressFn progress) {
  KDP_TRY_STATUS(usable());
  return read_span(virtual_space(), address, size, false, progress);
}

Expected<Bytes> KdpSession::read_memory_partial(uint64_t address, uint64_t size) {
  KDP_TRY_STATUS(usable());
  return read_span(virtual_space(), address, size, true, {});
}

Status KdpSession::write_memory(uint64_t address, ByteView data) {
  KDP_TRY_STATUS(usable());
  return write_span(virtual_space(), address, data);
}

Expected<Bytes> KdpSession::read_physical(uint64_t address, uint64_t size, uint16_t lcpu) {
  KDP_TRY_STATUS(usable());
  KDP_TRY(MemorySpace space, physical_space(lcpu));
  return read_span(space, address, size, false, {});
}

Status KdpSession::write_physical(uint64_t address, ByteView data, uint16_t lcpu) {
  KDP_TRY_STATUS(usable());
  KDP_TRY(MemorySpace space, physical_space(lcpu));
  return write_span(space, address, data);
}

Expected<Bytes> KdpSession::read_span(const MemorySpace& space, uint64_t address, uint64_t size,
                                      bool partial, const ProgressFn& progress) {
  std::string what = on_target(range_text(space, "read", address, size));
  if (Status ok = check_range(space, address, size); !ok) return std::move(ok).error().context(what);
  Bytes out;
  out.reserve(static_cast<size_t>(std::min<uint64_t>(size, 64 << 20)));
  while (out.size() < size) {
    uint64_t at = address + out.size();
    auto wanted = static_cast<uint32_t>(std::min<uint64_t>(chunk_size(), size - out.size()));
    auto reply = read_chunk(space, at, wanted);
    if (!reply) return std::move(reply).error().context(what);
    out.insert(out.end(), reply->data.begin(), reply->data.end());
    if (progress) progress(out.size(), size);
    if (reply->data.size() == wanted) continue;
    if (partial) return out;
    std::string detail = wire::command_name(space.read) + " of " + std::to_string(wanted) + " bytes at " +
                         hex(at) + " returned " + std::to_string(reply->data.size());
    if (reply->error != 0) detail += ", " + wire::error_name(reply->error);
    return Error(ErrorKind::kProtocol,
                 what + ": " + hex(at + reply->data.size()) + " is unreadable (" + detail + ")");
  }
  return out;
}

Expected<wire::DataReply> KdpSession::read_chunk(const MemorySpace& space, uint64_t address, uint32_t size) {
  wire::Body body = wire::MemReadRequest{address, size};
  if (space.physical) body = wire::PhysReadRequest{address, size, space.lcpu};
  KDP_TRY(auto reply, call_for<wire::DataReply>(space.read, std::move(body)));
  if (reply.data.size() > size)
    return Error(ErrorKind::kMalformed, wire::command_name(space.read) + " reply carries " +
                                            std::to_string(reply.data.size()) + " bytes for a request of " +
                                            std::to_string(size));
  if (reply.error != 0 && reply.error != static_cast<uint32_t>(wire::KdpError::kBadAccess))
    KDP_TRY_STATUS(check_kdp_error(space.read, reply.error));
  return reply;
}

Status KdpSession::write_span(const MemorySpace& space, uint64_t address, ByteView data) {
  std::string what = on_target(range_text(space, "write", address, data.size()));
  if (Status ok = check_range(space, address, data.size()); !ok) return std::move(ok).error().context(what);
  for (size_t done = 0; done < data.size();) {
    size_t n = std::min<size_t>(chunk_size(), data.size() - done);
    if (Status ok = write_chunk(space, address + done, data.subspan(done, n)); !ok)
      return std::move(ok).error().context(what);
    done += n;
  }
  return {};
}

Status KdpSession::write_chunk(const MemorySpace& space, uint64_t address, ByteView data) {
  Bytes bytes(data.begin(), data.end());
  wire::Body body = space.physical ? wire::Body(wire::PhysWriteRequest{address, space.lcpu, std::move(bytes)})
                                   : wire::Body(wire::MemWriteRequest{address, std::move(bytes)});
  KDP_TRY(auto reply, call_for<wire::ErrorReply>(space.write, std::move(body)));
  if (reply.error == static_cast<uint32_t>(wire::KdpError::kBadAccess))
    return Error(ErrorKind::kProtocol, "memory at " + hex(address) + " (" + std::to_string(data.size()) +
                                           " bytes) is not entirely writable (" +
                                           wire::command_name(space.write) + ": KDPERR_BAD_ACCESS)");
  return check_kdp_error(space.write, reply.error);
}

}  // namespace kdp::client
