// Fuzz target for the capture reader (libpcap file formats + link/IP/UDP decoding, reassembly)
// and everything downstream of it: pairing, statistics and the replay builder. Properties:
//   * nothing crashes, hangs or reads out of bounds, whatever the file;
//   * every KDP datagram the reader returns is addressed to or from the KDP port it settled on;
//   * the statistics add up: transmissions = requests + retransmissions, replies <= requests.
#include <cstdio>
#include <cstdlib>

#include "kdp/pcap/capture.h"
#include "kdp/pcap/replay.h"
#include "kdp/pcap/stats.h"

using namespace kdp;

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_pcap: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto capture = kdp::pcap::load_capture_bytes(ByteView(data, size), "fuzz.pcap");
  if (!capture) return 0;
  for (const kdp::pcap::KdpDatagram& d : capture->datagrams)
    if (d.source.port != capture->summary.kdp_port && d.destination.port != capture->summary.kdp_port)
      fail("non-KDP datagram kept");
  const kdp::pcap::Exchanges exchanges = kdp::pcap::pair_exchanges(*capture);
  const kdp::pcap::CaptureStats stats = kdp::pcap::compute_stats(*capture, exchanges);
  if (stats.transmissions != stats.requests + stats.retransmissions) fail("transmissions do not add up");
  if (stats.replies > stats.requests) fail("more replies than requests");
  const kdp::pcap::ReplayState state = kdp::pcap::build_replay(*capture, exchanges);
  for (const kdp::pcap::MemoryExtent& e : state.memory.extents()) {
    const auto read = state.memory.read(e.address, e.size);
    if (read.bytes.size() != e.size) fail("a captured extent does not read back whole");
  }
  return 0;
}
