// kdpctl pcap decode|stats FILE: read a capture (pcap or pcapng) of a KDP session; no target needed.
#include <cxxopts.hpp>

#include <ostream>

#include "cli/command.h"
#include "cli/pcap/pcap_report.h"
#include "kdp/pcap/capture.h"
#include "kdp/pcap/exchange.h"
#include "kdp/pcap/stats.h"

namespace kdp::cli {
namespace {

Expected<pcap::CaptureOptions> capture_options(const Invocation& inv) {
  pcap::CaptureOptions options;
  if (inv.flags && inv.flags->count("port")) {
    const int port = (*inv.flags)["port"].as<int>();
    if (port < 1 || port > 65535) return usage_error("pcap: --port must be between 1 and 65535");
    options.port = static_cast<uint16_t>(port);
    options.learn_port = false;
  }
  return options;
}

Status run_pcap(Invocation& inv) {
  if (inv.args.size() != 2 || (inv.args[0] != "decode" && inv.args[0] != "stats"))
    return usage_error("pcap: expected `pcap decode FILE` or `pcap stats FILE`");
  KDP_TRY(pcap::CaptureOptions options, capture_options(inv));
  KDP_TRY(pcap::Capture capture, pcap::load_capture(inv.args[1], options));
  const pcap::Exchanges exchanges = pcap::pair_exchanges(capture);
  if (inv.args[0] == "decode") {
    inv.out << (inv.global.json ? decode_json(capture, exchanges) : decode_text(capture, exchanges));
    return {};
  }
  const pcap::CaptureStats stats = pcap::compute_stats(capture, exchanges);
  inv.out << (inv.global.json ? stats_json(capture, stats) : stats_text(capture, stats));
  return {};
}

const CommandSpec kPcap{
    .name = "pcap",
    .usage = "pcap decode|stats FILE",
    .summary = "read a KDP capture (pcap/pcapng): every packet, or statistics (no target needed)",
    .details = "decode: every KDP datagram with its packet number, time since the first one, addresses,\n"
               "direction (--> to the kernel, <-- from it) and the same description -v prints.\n"
               "stats: requests by type, retransmissions, duplicates, unanswered requests, round trips,\n"
               "exception notifications and acks. KDP traffic is UDP to or from port 41139 (--port), or,\n"
               "when nothing uses 41139, the port a KDP_REATTACH/CONNECT goes to (a simulator's);\n"
               "everything else in the file is skipped. Link types: Ethernet (VLAN tags too), BSD/macOS\n"
               "loopback, Linux cooked (tcpdump -i any), raw IP; IPv4 (fragments reassembled) and IPv6.",
    .add_options = [](cxxopts::Options& o) {
      o.add_options("pcap")("port", "the kernel's UDP port in the capture", cxxopts::value<int>(), "PORT");
    },
    .run = run_pcap,
};

}  // namespace

const CommandSpec& pcap_command() { return kPcap; }
}  // namespace kdp::cli
