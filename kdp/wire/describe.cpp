// describe(): one stable, grep-friendly line per packet ("KDP_READMEM64 seq=3 key=0x0 ...").
// Field names follow kdp_protocol.h; addresses, masks and flags in hex, sizes and ports in decimal.
// VERSION's pad0/pad1 are left out on purpose: xnu never writes them (spec §2.1).
#include <string>

#include "kdp/wire/codec.h"
#include "kdp/wire/names.h"

namespace kdp::wire {
namespace {

std::string quoted(std::string_view s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kDigits[u >> 4];
      out += kDigits[u & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string dec(uint64_t v) { return std::to_string(v); }
std::string size_of(const Bytes& b) { return dec(b.size()) + " bytes"; }
std::string error_field(uint32_t error) { return " error=" + error_name(error); }

std::string exception_label(uint32_t exception) {
  std::string name = exception_name(exception);
  return name.starts_with("EXC_") ? name + "(" + dec(exception) + ")" : name;
}

// " field=value ..." for each body shape (empty for Empty).
struct BodyDescriber {
  std::string operator()(const Empty&) const { return ""; }
  std::string operator()(const ConnectRequest& b) const {
    return " reply_port=" + dec(b.reply_port) + " exc_port=" + dec(b.exc_port) +
           " greeting=" + quoted(b.greeting);
  }
  std::string operator()(const ReattachRequest& b) const {
    return " reply_port=" + dec(b.reply_port);
  }
  std::string operator()(const MemReadRequest& b) const {
    return " address=" + hex(b.address) + " nbytes=" + dec(b.nbytes);
  }
  std::string operator()(const PhysReadRequest& b) const {
    return " address=" + hex(b.address) + " nbytes=" + dec(b.nbytes) + " lcpu=" + hex(b.lcpu);
  }
  std::string operator()(const MemWriteRequest& b) const {
    return " address=" + hex(b.address) + " data=" + size_of(b.data);
  }
  std::string operator()(const PhysWriteRequest& b) const {
    return " address=" + hex(b.address) + " lcpu=" + hex(b.lcpu) + " data=" + size_of(b.data);
  }
  std::string operator()(const ReadRegsRequest& b) const {
    return " cpu=" + dec(b.cpu) + " flavor=" + dec(b.flavor);
  }
  std::string operator()(const WriteRegsRequest& b) const {
    return " cpu=" + dec(b.cpu) + " flavor=" + dec(b.flavor) + " state=" + size_of(b.state);
  }
  std::string operator()(const LoadRequest& b) const { return " file_args=" + quoted(b.file_args); }
  std::string operator()(const ResumeRequest& b) const { return " cpu_mask=" + hex(b.cpu_mask); }
  std::string operator()(const BreakpointRequest& b) const { return " address=" + hex(b.address); }
  std::string operator()(const IoPortReadRequest& b) const {
    return " lcpu=" + hex(b.lcpu) + " port=" + hex(b.port) + " nbytes=" + dec(b.nbytes);
  }
  std::string operator()(const IoPortWriteRequest& b) const {
    return " lcpu=" + hex(b.lcpu) + " port=" + hex(b.port) + " data=" + size_of(b.data);
  }
  std::string operator()(const MsrReadRequest& b) const {
    return " msr=" + hex(b.msr) + " lcpu=" + hex(b.lcpu);
  }
  std::string operator()(const MsrWriteRequest& b) const {
    return " msr=" + hex(b.msr) + " lcpu=" + hex(b.lcpu) + " value=" + hex(b.value);
  }
  std::string operator()(const DumpInfo& b) const {
    return " name=" + quoted(b.name) + " destip=" + quoted(b.destip) +
           " routerip=" + quoted(b.routerip) + " port=" + dec(b.port) + " type=" + hex(b.type);
  }
  std::string operator()(const ExceptionNotification& b) const {
    std::string s = " n=" + dec(b.exceptions.size());
    for (const ExceptionInfo& e : b.exceptions)
      s += " [cpu=" + dec(e.cpu) + " exception=" + exception_label(e.exception) +
           " code=" + dec(e.code) + " subcode=" + hex(e.subcode) + "]";
    return s;
  }
  std::string operator()(const TerminationNotification& b) const {
    return " term_code=" + termination_name(b.term_code) + " exit_code=" + dec(b.exit_code);
  }
  std::string operator()(const ErrorReply& b) const { return error_field(b.error); }
  std::string operator()(const HostInfoReply& b) const {
    return " cpus_mask=" + hex(b.cpus_mask) + " cpu_type=" + hex(b.cpu_type) +
           " cpu_subtype=" + dec(b.cpu_subtype);
  }
  std::string operator()(const VersionReply& b) const {
    return " version=" + dec(b.version) + " feature=" + hex(b.feature);
  }
  std::string operator()(const MaxBytesReply& b) const { return " max_bytes=" + dec(b.max_bytes); }
  std::string operator()(const DataReply& b) const {
    return error_field(b.error) + " data=" + size_of(b.data);
  }
  std::string operator()(const MsrReadReply& b) const {
    return error_field(b.error) + (b.value ? " value=" + hex(*b.value) : std::string());
  }
  std::string operator()(const RegionsReply& b) const {
    std::string s = " n=" + dec(b.regions.size());
    for (const Region& r : b.regions)
      s += " [address=" + hex(r.address) + " nbytes=" + hex(r.nbytes) +
           " protection=" + hex(r.protection) + "]";
    return s;
  }
  std::string operator()(const ImagePathReply& b) const { return " path=" + quoted(b.path); }
  std::string operator()(const KernelVersionReply& b) const {
    return " version=" + quoted(b.version);
  }
};

// "", " reply" or " ack": requests and notifications carry no direction word.
std::string direction(const Header& h) {
  if (!h.is_reply) return "";
  bool notification = h.command == Command::kException || h.command == Command::kTermination;
  return notification ? " ack" : " reply";
}

}  // namespace

std::string describe(const Packet& packet) {
  const Header& h = packet.header;
  return command_name(h.command) + direction(h) + " seq=" + dec(h.seq) + " key=" + hex(h.key) +
         std::visit(BodyDescriber{}, packet.body);
}

std::string describe_datagram(ByteView datagram) {
  Expected<Packet> packet = decode(datagram);
  if (packet) return describe(*packet);
  return "malformed (" + dec(datagram.size()) + " bytes): " + packet.error().message();
}

}  // namespace kdp::wire
