// Registers (flavors 4 and 5, spec §6), MSRs, I/O ports, DUMPINFO, and leaving the session.
#include "kdp/client/kdp_session.h"

namespace kdp::client {

using wire::Command;

namespace {

Status check_port_width(uint16_t width) {
  if (width == 1 || width == 2 || width == 4) return {};
  return usage_error("I/O port access width must be 1, 2 or 4 bytes, not " + std::to_string(width));
}

}  // namespace

Expected<Bytes> KdpSession::fetch_register_flavor(uint32_t flavor, size_t size) {
  KDP_TRY(auto reply, call_for<wire::DataReply>(Command::kReadRegs, wire::ReadRegsRequest{0, flavor}));
  KDP_TRY_STATUS(check_kdp_error(Command::kReadRegs, reply.error));
  if (reply.data.size() != size)
    return Error(ErrorKind::kMalformed, "KDP_READREGS flavor " + std::to_string(flavor) + " returned " +
                                            std::to_string(reply.data.size()) + " bytes, expected " +
                                            std::to_string(size));
  return std::move(reply.data);
}

Expected<wire::X86ThreadState64> KdpSession::fetch_registers() {
  KDP_TRY(Bytes bytes, fetch_register_flavor(wire::kThreadState64Flavor, wire::kThreadState64Size));
  return wire::X86ThreadState64::decode(bytes);
}

Status KdpSession::store_registers(const wire::X86ThreadState64& state) {
  wire::WriteRegsRequest request{0, wire::kThreadState64Flavor, state.encode()};
  KDP_TRY(auto reply, call_for<wire::ErrorReply>(Command::kWriteRegs, std::move(request)));
  return check_kdp_error(Command::kWriteRegs, reply.error);
}

Expected<wire::X86ThreadState64> KdpSession::read_registers() {
  KDP_TRY_STATUS(usable());
  auto state = fetch_registers();
  if (!state) return std::move(state).error().context(on_target("read registers"));
  return state;
}

Status KdpSession::write_registers(const wire::X86ThreadState64& state) {
  KDP_TRY_STATUS(usable());
  Status done = store_registers(state);
  if (!done) return std::move(done).error().context(on_target("write registers"));
  return {};
}

Expected<Bytes> KdpSession::read_float_state() {
  KDP_TRY_STATUS(usable());
  auto state = fetch_register_flavor(wire::kFloatState64Flavor, wire::kFloatState64Size);
  if (!state) return std::move(state).error().context(on_target("read float state"));
  return state;
}

Expected<uint64_t> KdpSession::read_msr(uint32_t msr, uint16_t lcpu) {
  KDP_TRY_STATUS(usable());
  std::string what = on_target("read MSR " + hex(msr));
  auto reply = call_for<wire::MsrReadReply>(Command::kReadMsr64, wire::MsrReadRequest{msr, lcpu});
  if (!reply) return std::move(reply).error().context(what);
  if (Status ok = check_kdp_error(Command::kReadMsr64, reply->error); !ok) return std::move(ok).error().context(what);
  if (!reply->value) return Error(ErrorKind::kMalformed, what + ": the reply carries no value");
  return *reply->value;
}

Status KdpSession::write_msr(uint32_t msr, uint64_t value, uint16_t lcpu) {
  KDP_TRY_STATUS(usable());
  auto reply = call_for<wire::ErrorReply>(Command::kWriteMsr64, wire::MsrWriteRequest{msr, lcpu, value});
  Status done = reply ? check_kdp_error(Command::kWriteMsr64, reply->error) : Status(std::move(reply).error());
  if (!done) return std::move(done).error().context(on_target("write MSR " + hex(msr)));
  return {};
}

Expected<uint32_t> KdpSession::read_ioport(uint16_t port, uint16_t width, uint16_t lcpu) {
  KDP_TRY_STATUS(usable());
  KDP_TRY_STATUS(check_port_width(width));
  std::string what = on_target("read I/O port " + hex(port));
  auto reply = call_for<wire::DataReply>(Command::kReadIoPort, wire::IoPortReadRequest{lcpu, port, width});
  if (!reply) return std::move(reply).error().context(what);
  if (Status ok = check_kdp_error(Command::kReadIoPort, reply->error); !ok) return std::move(ok).error().context(what);
  ByteReader reader(reply->data, "KDP_READIOPORT reply data");
  uint32_t value = 0;
  for (uint16_t i = 0; i < width; ++i) {
    KDP_TRY(uint8_t byte, reader.u8("value"));
    value |= static_cast<uint32_t>(byte) << (8 * i);
  }
  return value;
}

Status KdpSession::write_ioport(uint16_t port, uint16_t width, uint32_t value, uint16_t lcpu) {
  KDP_TRY_STATUS(usable());
  KDP_TRY_STATUS(check_port_width(width));
  Bytes data;
  for (uint16_t i = 0; i < width; ++i) data.push_back(static_cast<uint8_t>(value >> (8 * i)));
  auto reply = call_for<wire::ErrorReply>(Command::kWriteIoPort, wire::IoPortWriteRequest{lcpu, port, data});
  Status done = reply ? check_kdp_error(Command::kWriteIoPort, reply->error) : Status(std::move(reply).error());
  if (!done) return std::move(done).error().context(on_target("write I/O port " + hex(port)));
  return {};
}

Expected<wire::DumpInfo> KdpSession::dump_info() {
  KDP_TRY_STATUS(usable());
  wire::DumpInfo query;  // type 0 = KDP_DUMPINFO_GETINFO: changes nothing, so it may run twice
  auto reply = call_for<wire::DumpInfo>(Command::kDumpInfo, query, true);
  if (!reply) return std::move(reply).error().context(on_target("dumpinfo"));
  return reply;
}

Expected<wire::Packet> KdpSession::final_request(Command command, int max_attempts) {
  closed_ = true;
  note_request(command);
  RequestSpec spec(command);
  spec.max_attempts = max_attempts;
  return link_.request(std::move(spec));
}

}  // namespace kdp::client
