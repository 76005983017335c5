// write_body() for requests and notifications (spec §3.3). Integers are little-endian except the
// UDP ports in CONNECT/REATTACH, which xnu copies verbatim into UDP headers (§1.6).
#include "kdp/wire/body_writers.h"
#include "kdp/wire/layout.h"

namespace kdp::wire::detail {

Status write_body(const Empty&, BodyWriter&) { return {}; }

Status write_body(const ConnectRequest& b, BodyWriter& w) {
  w.out.u16be(b.reply_port);
  w.out.u16be(b.exc_port);
  return w.c_string(b.greeting, "greeting");
}

Status write_body(const ReattachRequest& b, BodyWriter& w) {
  w.out.u16be(b.reply_port);
  return {};
}

Status write_body(const MemReadRequest& b, BodyWriter& w) {
  KDP_TRY_STATUS(w.address(b.address));
  w.out.u32(b.nbytes);
  return {};
}

Status write_body(const PhysReadRequest& b, BodyWriter& w) {
  w.out.u64(b.address);
  w.out.u32(b.nbytes);
  w.out.u16(b.lcpu);
  return {};
}

// nbytes fields are written from data.size(); oversize data fails encode()'s packet-size check.
Status write_body(const MemWriteRequest& b, BodyWriter& w) {
  KDP_TRY_STATUS(w.address(b.address));
  w.out.u32(static_cast<uint32_t>(b.data.size()));
  w.out.bytes(b.data);
  return {};
}

Status write_body(const PhysWriteRequest& b, BodyWriter& w) {
  w.out.u64(b.address);
  w.out.u32(static_cast<uint32_t>(b.data.size()));
  w.out.u16(b.lcpu);
  w.out.bytes(b.data);
  return {};
}

Status write_body(const ReadRegsRequest& b, BodyWriter& w) {
  w.out.u32(b.cpu);
  w.out.u32(b.flavor);
  return {};
}

Status write_body(const WriteRegsRequest& b, BodyWriter& w) {
  w.out.u32(b.cpu);
  w.out.u32(b.flavor);
  w.out.bytes(b.state);
  return {};
}

Status write_body(const LoadRequest& b, BodyWriter& w) {
  return w.c_string(b.file_args, "file_args");
}

Status write_body(const ResumeRequest& b, BodyWriter& w) {
  w.out.u32(b.cpu_mask);
  return {};
}

Status write_body(const BreakpointRequest& b, BodyWriter& w) { return w.address(b.address); }

Status write_body(const IoPortReadRequest& b, BodyWriter& w) {
  w.out.u16(b.lcpu);
  w.out.u16(b.port);
  w.out.u16(b.nbytes);
  return {};
}

Status write_body(const IoPortWriteRequest& b, BodyWriter& w) {
  w.out.u16(b.lcpu);
  w.out.u16(b.port);
  w.out.u16(static_cast<uint16_t>(b.data.size()));
  w.out.bytes(b.data);
  return {};
}

Status write_body(const MsrReadRequest& b, BodyWriter& w) {
  w.out.u32(b.msr);
  w.out.u16(b.lcpu);
  return {};
}

Status write_body(const MsrWriteRequest& b, BodyWriter& w) {
  w.out.u32(b.msr);
  w.out.u16(b.lcpu);
  w.out.u64(b.value);
  return {};
}

Status write_body(const DumpInfo& b, BodyWriter& w) {
  KDP_TRY_STATUS(w.fixed_string(b.name, kDumpNameWidth, "name"));
  KDP_TRY_STATUS(w.fixed_string(b.destip, kDumpIpWidth, "destip"));
  KDP_TRY_STATUS(w.fixed_string(b.routerip, kDumpIpWidth, "routerip"));
  w.out.u32(b.port);
  w.out.u32(b.type);
  return {};
}

Status write_body(const ExceptionNotification& b, BodyWriter& w) {
  w.out.u32(static_cast<uint32_t>(b.exceptions.size()));
  for (const ExceptionInfo& e : b.exceptions) {
    w.out.u32(e.cpu);
    w.out.u32(e.exception);
    w.out.u32(e.code);
    w.out.u32(e.subcode);
  }
  return {};
}

Status write_body(const TerminationNotification& b, BodyWriter& w) {
  w.out.u32(b.term_code);
  w.out.u32(b.exit_code);
  return {};
}

}  // namespace kdp::wire::detail
