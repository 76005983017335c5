// Memory and breakpoint requests (xnu kdp.c): READMEM*, WRITEMEM*, BREAKPOINT*.
#include "kdp/stub/stub_engine.h"

namespace kdp::stub {
namespace {

using wire::KdpError;

constexpr uint32_t code(KdpError e) { return static_cast<uint32_t>(e); }

}  // namespace

std::optional<StubEngine::Reply> StubEngine::on_read_memory(const wire::Packet& rq,
                                                            std::optional<uint64_t> address,
                                                            uint32_t nbytes) {
  if (nbytes > wire::kMaxDataSize) return reply_to(rq, wire::DataReply{code(KdpError::kBadNbytes), {}});
  // The copy stops at the first unmapped page; the reply carries only what was read.
  Bytes data = address ? memory_.read(*address, nbytes) : Bytes{};
  bool short_read = data.size() < nbytes;
  uint32_t error = short_read && config_.bad_access_errors ? code(KdpError::kBadAccess) : 0;
  return reply_to(rq, wire::DataReply{error, std::move(data)});
}

std::optional<StubEngine::Reply> StubEngine::on_write_memory(const wire::Packet& rq,
                                                             std::optional<uint64_t> address,
                                                             ByteView data) {
  if (data.size() > wire::kMaxDataSize) return reply_to(rq, wire::ErrorReply{code(KdpError::kBadNbytes)});
  size_t written = address ? memory_.write(*address, data) : 0;
  bool short_write = written < data.size();
  uint32_t error = short_write && config_.bad_access_errors ? code(KdpError::kBadAccess) : 0;
  return reply_to(rq, wire::ErrorReply{error});
}

std::optional<StubEngine::Reply> StubEngine::on_breakpoint(const wire::Packet& rq, uint64_t address,
                                                           bool set) {
  KdpError result = set ? breakpoints_.set(memory_, address) : breakpoints_.remove(memory_, address);
  return reply_to(rq, wire::ErrorReply{code(result)});
}

}  // namespace kdp::stub
