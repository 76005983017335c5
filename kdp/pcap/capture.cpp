#include "kdp/pcap/capture.h"

#include <variant>

#include "kdp/pcap/capture_file.h"
#include "kdp/pcap/frame_decoder.h"
#include "kdp/pcap/reassembler.h"
#include "kdp/wire/codec.h"

namespace kdp::pcap {
namespace {

constexpr uint8_t kUdp = 17;

class Loader {
 public:
  Loader(Capture& capture, const CaptureOptions& options) : capture_(capture), options_(options), port_(options.port) {
    capture_.summary.kdp_port = port_;
  }

  Status add(const CaptureRecord& record) {
    ++capture_.summary.frames;
    auto link = decode_link(record.linktype, record.data);
    if (!link) return where(record, link.error());
    if (std::holds_alternative<NotIp>(*link)) {
      ++capture_.summary.not_ip;
      return {};
    }
    const IpPacket& ip = std::get<IpPacket>(*link);
    if (ip.protocol != kUdp) {
      ++capture_.summary.not_kdp;
      return {};
    }
    if (!ip.fragment) return add_udp(record, ip, ip.payload, record.number);
    auto done = reassembler_.add(ip, record.number);
    if (!done) return where(record, done.error());
    if (!*done) return {};
    return add_udp(record, ip, (*done)->payload, (*done)->first_number);
  }

  void finish() {
    for (const std::string& line : reassembler_.incomplete())
      capture_.summary.notes.push_back("incomplete IP fragments: " + line);
    if (reassembler_.abandoned() != 0)
      capture_.summary.notes.push_back(std::to_string(reassembler_.abandoned()) +
                                       " fragmented datagrams abandoned (too many pending at once)");
  }

 private:
  Error where(const CaptureRecord& record, const Error& error) const {
    return malformed(capture_.name + ": packet " + std::to_string(record.number) + " (file offset " +
                     hex(record.file_offset) + "): " + error.message());
  }

  Status add_udp(const CaptureRecord& record, const IpPacket& ip, ByteView transport, uint64_t number) {
    const bool reassembled = ip.fragment;
    IpPacket whole = ip;
    whole.truncated = ip.truncated && !reassembled;
    auto udp = decode_udp(whole, transport);
    if (!udp) {
      // A short or bad UDP header only matters when the frame could be KDP; we cannot tell, so
      // a frame whose UDP header does not even parse is reported.
      return where(record, udp.error());
    }
    if (udp->destination.port != port_ && udp->source.port != port_ && !learn_port(*udp, record.number)) {
      ++capture_.summary.not_kdp;
      return {};
    }
    const bool to_target = udp->destination.port == port_;
    if (udp->truncated) {
      ++capture_.summary.snaplen_cut;
      capture_.summary.notes.push_back("packet " + std::to_string(record.number) + ": KDP datagram cut short by the capture (" +
                                       std::to_string(record.data.size()) + " of " +
                                       std::to_string(record.original_length) + " bytes captured); skipped");
      return {};
    }
    KdpDatagram d;
    d.number = number;
    d.file_offset = record.file_offset;
    d.time_ns = record.time_ns;
    d.source = udp->source;
    d.destination = udp->destination;
    d.direction = to_target ? Direction::kToTarget : Direction::kFromTarget;
    d.payload.assign(udp->payload.begin(), udp->payload.end());
    capture_.datagrams.push_back(std::move(d));
    ++capture_.summary.kdp;
    if (reassembled) ++capture_.summary.reassembled;
    return {};
  }

  // See CaptureOptions::learn_port.
  bool learn_port(const UdpDatagram& udp, uint64_t number) {
    if (!options_.learn_port || !capture_.datagrams.empty() || udp.truncated) return false;
    auto packet = wire::decode(udp.payload);
    if (!packet || packet->header.is_reply || packet->header.seq != 0) return false;
    const wire::Command c = packet->header.command;
    if (c != wire::Command::kReattach && c != wire::Command::kConnect) return false;
    port_ = udp.destination.port;
    capture_.summary.kdp_port = port_;
    capture_.summary.notes.push_back("nothing on UDP port " + std::to_string(options_.port) + "; the kernel's port is " +
                                     std::to_string(port_) + ", from the " + wire::command_name(c) + " in packet " +
                                     std::to_string(number));
    return true;
  }

  Capture& capture_;
  const CaptureOptions& options_;
  uint16_t port_;
  Reassembler reassembler_;
};

}  // namespace

Expected<Capture> load_capture_from(CaptureFile& file, const CaptureOptions& options) {
  Capture capture;
  capture.name = file.name();
  capture.linktype = linktype_name(file.linktype());
  if (!linktype_supported(file.linktype()))
    return usage_error(file.name() + ": link type " + capture.linktype +
                       " is not supported (EN10MB, NULL, LOOP, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6 are)");
  Loader loader(capture, options);
  for (;;) {
    KDP_TRY(auto record, file.next());
    if (!record) break;
    KDP_TRY_STATUS(loader.add(*record));
  }
  loader.finish();
  return capture;
}

Expected<Capture> load_capture(const std::string& path, const CaptureOptions& options) {
  KDP_TRY(auto file, CaptureFile::open(path));
  return load_capture_from(*file, options);
}

Expected<Capture> load_capture_bytes(ByteView bytes, const std::string& name, const CaptureOptions& options) {
  KDP_TRY(auto file, CaptureFile::from_memory(bytes, name));
  return load_capture_from(*file, options);
}

}  // namespace kdp::pcap
