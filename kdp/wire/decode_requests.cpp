// read_body() for requests and notifications (spec §3.3).
#include "kdp/wire/body_readers.h"
#include "kdp/wire/layout.h"

namespace kdp::wire::detail {

Expected<Empty> read_body(Tag<Empty>, ByteReader&, Command) { return Empty{}; }

// xnu ignores the greeting and would even serve a CONNECT without one (len 12); every real client
// sends a NUL-terminated greeting, and requiring it keeps decode/encode an exact round trip.
Expected<ConnectRequest> read_body(Tag<ConnectRequest>, ByteReader& r, Command) {
  ConnectRequest b;
  KDP_TRY(b.reply_port, r.u16be("req_reply_port"));
  KDP_TRY(b.exc_port, r.u16be("exc_note_port"));
  KDP_TRY(b.greeting, r.c_string("greeting"));
  return b;
}

Expected<ReattachRequest> read_body(Tag<ReattachRequest>, ByteReader& r, Command) {
  ReattachRequest b;
  KDP_TRY(b.reply_port, r.u16be("req_reply_port"));
  return b;
}

Expected<MemReadRequest> read_body(Tag<MemReadRequest>, ByteReader& r, Command c) {
  MemReadRequest b;
  KDP_TRY(b.address, read_address(r, c));
  KDP_TRY(b.nbytes, r.u32("nbytes"));
  return b;
}

Expected<PhysReadRequest> read_body(Tag<PhysReadRequest>, ByteReader& r, Command) {
  PhysReadRequest b;
  KDP_TRY(b.address, r.u64("address"));
  KDP_TRY(b.nbytes, r.u32("nbytes"));
  KDP_TRY(b.lcpu, r.u16("lcpu"));
  return b;
}

Expected<MemWriteRequest> read_body(Tag<MemWriteRequest>, ByteReader& r, Command c) {
  MemWriteRequest b;
  KDP_TRY(b.address, read_address(r, c));
  uint64_t nbytes_at = r.absolute_offset();
  KDP_TRY(uint32_t nbytes, r.u32("nbytes"));
  KDP_TRY(b.data, read_counted_data(r, nbytes_at, nbytes));
  return b;
}

Expected<PhysWriteRequest> read_body(Tag<PhysWriteRequest>, ByteReader& r, Command) {
  PhysWriteRequest b;
  KDP_TRY(b.address, r.u64("address"));
  uint64_t nbytes_at = r.absolute_offset();
  KDP_TRY(uint32_t nbytes, r.u32("nbytes"));
  KDP_TRY(b.lcpu, r.u16("lcpu"));
  KDP_TRY(b.data, read_counted_data(r, nbytes_at, nbytes));
  return b;
}

Expected<ReadRegsRequest> read_body(Tag<ReadRegsRequest>, ByteReader& r, Command) {
  ReadRegsRequest b;
  KDP_TRY(b.cpu, r.u32("cpu"));
  KDP_TRY(b.flavor, r.u32("flavor"));
  return b;
}

Expected<WriteRegsRequest> read_body(Tag<WriteRegsRequest>, ByteReader& r, Command) {
  WriteRegsRequest b;
  KDP_TRY(b.cpu, r.u32("cpu"));
  KDP_TRY(b.flavor, r.u32("flavor"));
  b.state = read_rest(r);
  return b;
}

Expected<LoadRequest> read_body(Tag<LoadRequest>, ByteReader& r, Command) {
  LoadRequest b;
  KDP_TRY(b.file_args, r.c_string("file_args"));
  return b;
}

Expected<ResumeRequest> read_body(Tag<ResumeRequest>, ByteReader& r, Command) {
  ResumeRequest b;
  KDP_TRY(b.cpu_mask, r.u32("cpu_mask"));
  return b;
}

Expected<BreakpointRequest> read_body(Tag<BreakpointRequest>, ByteReader& r, Command c) {
  BreakpointRequest b;
  KDP_TRY(b.address, read_address(r, c));
  return b;
}

Expected<IoPortReadRequest> read_body(Tag<IoPortReadRequest>, ByteReader& r, Command) {
  IoPortReadRequest b;
  KDP_TRY(b.lcpu, r.u16("lcpu"));
  KDP_TRY(b.port, r.u16("address"));
  KDP_TRY(b.nbytes, r.u16("nbytes"));
  return b;
}

Expected<IoPortWriteRequest> read_body(Tag<IoPortWriteRequest>, ByteReader& r, Command) {
  IoPortWriteRequest b;
  KDP_TRY(b.lcpu, r.u16("lcpu"));
  KDP_TRY(b.port, r.u16("address"));
  uint64_t nbytes_at = r.absolute_offset();
  KDP_TRY(uint16_t nbytes, r.u16("nbytes"));
  KDP_TRY(b.data, read_counted_data(r, nbytes_at, nbytes));
  return b;
}

Expected<MsrReadRequest> read_body(Tag<MsrReadRequest>, ByteReader& r, Command) {
  MsrReadRequest b;
  KDP_TRY(b.msr, r.u32("address"));
  KDP_TRY(b.lcpu, r.u16("lcpu"));
  return b;
}

Expected<MsrWriteRequest> read_body(Tag<MsrWriteRequest>, ByteReader& r, Command) {
  MsrWriteRequest b;
  KDP_TRY(b.msr, r.u32("address"));
  KDP_TRY(b.lcpu, r.u16("lcpu"));
  KDP_TRY(b.value, r.u64("data"));
  return b;
}

Expected<DumpInfo> read_body(Tag<DumpInfo>, ByteReader& r, Command) {
  DumpInfo b;
  KDP_TRY(b.name, r.fixed_string(detail::kDumpNameWidth, "name"));
  KDP_TRY(b.destip, r.fixed_string(detail::kDumpIpWidth, "destip"));
  KDP_TRY(b.routerip, r.fixed_string(detail::kDumpIpWidth, "routerip"));
  KDP_TRY(b.port, r.u32("port"));
  KDP_TRY(b.type, r.u32("type"));
  return b;
}

namespace {

Status read_exception_info(ByteReader& r, ExceptionInfo& e) {
  KDP_TRY(e.cpu, r.u32("cpu"));
  KDP_TRY(e.exception, r.u32("exception"));
  KDP_TRY(e.code, r.u32("code"));
  KDP_TRY(e.subcode, r.u32("subcode"));
  return {};
}

}  // namespace

Expected<ExceptionNotification> read_body(Tag<ExceptionNotification>, ByteReader& r, Command) {
  ExceptionNotification b;
  KDP_TRY(b.exceptions, read_records<ExceptionInfo>(r, "n_exc_info", 16, read_exception_info));
  return b;
}

Expected<TerminationNotification> read_body(Tag<TerminationNotification>, ByteReader& r, Command) {
  TerminationNotification b;
  KDP_TRY(b.term_code, r.u32("term_code"));
  KDP_TRY(b.exit_code, r.u32("exit_code"));
  return b;
}

}  // namespace kdp::wire::detail
