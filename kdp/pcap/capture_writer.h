// Writing a pcap file (Ethernet link type, microsecond timestamps) through libpcap, one record per
// call, flushed to the kernel each time so a killed process leaves a file readable up to its last
// packet.
//
// Opening follows the project's rule for files we do not own (kdp/base/file_rules.h): an existing
// regular file is replaced only if it belongs to the user running kdpctl, and a symlink only
// followed where protected_symlinks would; a new file is created 0600 (it holds kernel memory); a
// FIFO, socket or character device (a pipe into `wireshark -k -i -`, /dev/stdout) is streamed to,
// never truncated; anything else (a directory, a block device, someone else's file) is refused.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/pcap/frame_builder.h"

struct pcap;
struct pcap_dumper;

namespace kdp::pcap {

class CaptureWriter {
 public:
  static Expected<std::unique_ptr<CaptureWriter>> create(const std::string& path);
  // Over an already open stream (tests, tools); the writer closes it.
  static Expected<std::unique_ptr<CaptureWriter>> over(std::FILE* stream, const std::string& name);
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // One Ethernet frame, written and flushed.
  Status write_frame(int64_t time_ns, ByteView frame);
  // A UDP datagram wrapped by build_udp_frame (IPv4 ids count up per writer).
  Status write_udp(int64_t time_ns, SocketAddress source, SocketAddress destination, ByteView payload);

  const std::string& name() const { return name_; }
  uint64_t records() const { return records_; }

 private:
  CaptureWriter(::pcap* dead, pcap_dumper* dumper, std::string name)
      : dead_(dead), dumper_(dumper), name_(std::move(name)) {}

  ::pcap* dead_;
  pcap_dumper* dumper_;
  std::string name_;
  uint64_t records_ = 0;
  uint16_t next_ip_id_ = 1;
};

// Opens `path` for writing under the rules above; the FILE is positioned at the start.
Expected<std::FILE*> open_for_capture(const std::string& path);

}  // namespace kdp::pcap
