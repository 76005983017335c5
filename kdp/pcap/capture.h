// A capture reduced to its KDP datagrams: every UDP datagram to or from the KDP port (41139, or
// another with --port, or the one a handshake shows: CaptureOptions), IPv4 fragments reassembled, in capture order, each with its packet
// number, file offset, time and direction. Everything else in the file is counted and skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/pcap/ip_address.h"
#include "kdp/wire/packet.h"

namespace kdp::pcap {

enum class Direction {
  kToTarget,    // debugger -> kernel: requests and exception acks
  kFromTarget,  // kernel -> debugger: replies and notifications
};

struct KdpDatagram {
  uint64_t number = 0;       // capture packet number (the first fragment's when reassembled)
  uint64_t file_offset = 0;
  int64_t time_ns = 0;       // since the Unix epoch
  SocketAddress source;
  SocketAddress destination;
  Direction direction = Direction::kToTarget;
  Bytes payload;             // the KDP datagram
};

struct CaptureSummary {
  uint16_t kdp_port = 0;          // the kernel's UDP port used to pick KDP traffic
  uint64_t frames = 0;
  uint64_t kdp = 0;
  uint64_t not_ip = 0;            // ARP, other ethertypes
  uint64_t not_kdp = 0;           // IP but not UDP on the KDP port
  uint64_t reassembled = 0;       // KDP datagrams joined from fragments
  uint64_t snaplen_cut = 0;       // KDP datagrams the capture cut short (skipped)
  std::vector<std::string> notes; // incomplete fragments and the like, one line each
};

struct Capture {
  std::string name;
  std::string linktype;
  std::vector<KdpDatagram> datagrams;
  CaptureSummary summary;
};

struct CaptureOptions {
  uint16_t port = wire::kKdpPort;
  // A simulator listens where it is told, often on an ephemeral port. Unless the port was given
  // explicitly, a capture with nothing on `port` yet adopts the destination port of the first
  // KDP_REATTACH or KDP_CONNECT request (seq 0, len matching, decodable) it meets; the summary
  // notes it.
  bool learn_port = true;
};

class CaptureFile;

// Reads a whole capture file (pcap or pcapng). kMalformed errors name the packet and file offset.
Expected<Capture> load_capture(const std::string& path, const CaptureOptions& options = {});
// The same over bytes in memory (fuzzing, tests); `name` is used in errors.
Expected<Capture> load_capture_bytes(ByteView bytes, const std::string& name, const CaptureOptions& options = {});
Expected<Capture> load_capture_from(CaptureFile& file, const CaptureOptions& options);

}  // namespace kdp::pcap
