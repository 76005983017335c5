// KDP datagrams for the pairing, stats and replay tests, laid out by hand from the spec (§3.3,
// §10) rather than by the codec, and a Capture assembled from them.
#pragma once

#include "kdp/pcap/capture.h"
#include "tests/pcap/hand_frames.h"

namespace kdp::test {

inline Bytes kdp_header(uint8_t code, uint8_t seq, size_t len) {
  Bytes out = {code, seq};
  put_le(out, len, 2);
  put_le(out, 0, 4);
  return out;
}

inline Bytes readmem64(uint8_t seq, uint64_t address, uint32_t nbytes) {
  Bytes out = kdp_header(0x14, seq, 20);
  put_le(out, address, 8);
  put_le(out, nbytes, 4);
  return out;
}

inline Bytes readmem64_reply(uint8_t seq, const Bytes& data, uint32_t error = 0) {
  Bytes out = kdp_header(0x94, seq, 12 + data.size());
  put_le(out, error, 4);
  append(out, data);
  return out;
}

inline Bytes exception_note(uint8_t seq) {
  Bytes out = kdp_header(0x0d, seq, 28);
  put_le(out, 1, 4);
  put_le(out, 0, 4);
  put_le(out, 6, 4);
  put_le(out, 3, 4);
  put_le(out, 0, 4);
  return out;
}

inline Bytes pattern(uint64_t address, size_t n) {
  Bytes out;
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>((address + i) * 7 + 3));
  return out;
}

class CaptureBuilder {
 public:
  CaptureBuilder& to_target(Bytes payload, int64_t time_us) { return add(std::move(payload), time_us, true); }
  CaptureBuilder& from_target(Bytes payload, int64_t time_us) { return add(std::move(payload), time_us, false); }
  pcap::Capture capture() const { return capture_; }

 private:
  CaptureBuilder& add(Bytes payload, int64_t time_us, bool to) {
    pcap::KdpDatagram d;
    d.number = capture_.datagrams.size() + 1;
    d.time_ns = time_us * 1000;
    const pcap::SocketAddress debugger{pcap::IpAddress::v4(kLocalhost), 50000};
    const pcap::SocketAddress kernel{pcap::IpAddress::v4(kLocalhost), 41139};
    d.source = to ? debugger : kernel;
    d.destination = to ? kernel : debugger;
    d.direction = to ? pcap::Direction::kToTarget : pcap::Direction::kFromTarget;
    d.payload = std::move(payload);
    capture_.datagrams.push_back(std::move(d));
    return *this;
  }
  pcap::Capture capture_{"hand", "EN10MB", {}, {}};
};

}  // namespace kdp::test
