// kdp_packet's dispatch table (xnu kdp.c): one entry per request code. Replies are built "in
// place": the request's code, seq and key are echoed with the reply bit set.
#include "kdp/stub/stub_engine.h"

#include "kdp/wire/codec.h"

namespace kdp::stub {
namespace {

using wire::Command;

template <class T>
const T* body_as(const wire::Packet& packet) {
  return std::get_if<T>(&packet.body);
}

// Beyond the identity map nothing is mapped: transfers there are empty (short).
std::optional<uint64_t> physical_to_virtual(uint64_t physical) {
  if (physical > ~kPhysMapBase) return std::nullopt;
  return kPhysMapBase + physical;
}

}  // namespace

StubEngine::Reply StubEngine::reply_to(const wire::Packet& request, wire::Body body) const {
  const wire::Header& h = request.header;
  return Reply{wire::make_reply(h.command, h.seq, h.key, std::move(body)), session_.reply_port};
}

std::optional<StubEngine::Reply> StubEngine::handle(const wire::Packet& rq, Time now) {
  switch (rq.header.command) {
    case Command::kConnect: return on_connect(rq);
    case Command::kDisconnect: return on_disconnect(rq);
    case Command::kReattach: return on_reattach(rq);
    case Command::kHostReboot: return on_reboot(now);
    case Command::kResumeCpus: return on_resume(rq);
    case Command::kSuspend:
      session_.halted = true;
      return reply_to(rq, wire::Empty{});
    case Command::kHostInfo:
      return reply_to(rq, wire::HostInfoReply{config_.cpus_mask, config_.cpu_type, config_.cpu_subtype});
    case Command::kVersion: return on_version(rq);
    case Command::kMaxBytes:
      if (config_.quirks.no_maxbytes) return std::nullopt;
      return reply_to(rq, wire::MaxBytesReply{wire::kMaxDataSize});
    case Command::kKernelVersion: return reply_to(rq, wire::KernelVersionReply{config_.kernel_version});
    case Command::kRegions:
      return reply_to(rq, wire::RegionsReply{{wire::Region{0, 0xffffffff, 7}}});  // VM_PROT_ALL
    case Command::kReadMem:
    case Command::kReadMem64:
      if (auto* r = body_as<wire::MemReadRequest>(rq)) return on_read_memory(rq, r->address, r->nbytes);
      break;
    case Command::kReadPhysMem64:
      if (auto* r = body_as<wire::PhysReadRequest>(rq))
        return on_read_memory(rq, physical_to_virtual(r->address), r->nbytes);
      break;
    case Command::kWriteMem:
    case Command::kWriteMem64:
      if (auto* r = body_as<wire::MemWriteRequest>(rq)) return on_write_memory(rq, r->address, r->data);
      break;
    case Command::kWritePhysMem64:
      if (auto* r = body_as<wire::PhysWriteRequest>(rq))
        return on_write_memory(rq, physical_to_virtual(r->address), r->data);
      break;
    case Command::kBreakpointSet:
    case Command::kBreakpointSet64:
      if (auto* r = body_as<wire::BreakpointRequest>(rq)) return on_breakpoint(rq, r->address, true);
      break;
    case Command::kBreakpointRemove:
    case Command::kBreakpointRemove64:
      if (auto* r = body_as<wire::BreakpointRequest>(rq)) return on_breakpoint(rq, r->address, false);
      break;
    case Command::kReadRegs: return on_read_regs(rq);
    case Command::kWriteRegs: return on_write_regs(rq);
    case Command::kReadIoPort: return on_read_ioport(rq);
    case Command::kWriteIoPort: return on_write_ioport(rq);
    case Command::kReadMsr64: return on_read_msr(rq, now);
    case Command::kWriteMsr64: return on_write_msr(rq);
    case Command::kDumpInfo: return on_dumpinfo(rq);
    default:
      break;  // LOAD, IMAGEPATH, EXCEPTION, TERMINATION: filtered before decoding
  }
  log("kdp-sim: no handler for " + wire::describe(rq));
  return std::nullopt;
}

}  // namespace kdp::stub
