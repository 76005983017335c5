// pcap_bench: loading and rebuilding a 10,000-packet KDP capture (5,000 READMEM64 requests of 512
// bytes and their replies, Ethernet/IPv4/UDP, written by CaptureWriter) with kdpctl's reader,
// pairing and replay builder, next to `tshark -r FILE -q` on the same file. Goal: <= 200 ms.
// A program to run and report, not a test.
//
//   pcap_bench [--packets N] [--runs N] [--keep FILE]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#include "kdp/pcap/capture_writer.h"
#include "kdp/pcap/replay.h"

namespace {

using namespace kdp;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kBase = 0xffffff8000200000ULL;

Bytes readmem64(uint8_t seq, uint64_t address, uint32_t nbytes) {
  ByteWriter w;
  w.u8(0x14);
  w.u8(seq);
  w.u16(20);
  w.u32(0);
  w.u64(address);
  w.u32(nbytes);
  return std::move(w).take();
}

Bytes readmem64_reply(uint8_t seq, uint64_t address, uint32_t nbytes) {
  ByteWriter w;
  w.u8(0x94);
  w.u8(seq);
  w.u16(static_cast<uint16_t>(12 + nbytes));
  w.u32(0);
  w.u32(0);
  for (uint32_t i = 0; i < nbytes; ++i) w.u8(static_cast<uint8_t>((address + i) * 13));
  return std::move(w).take();
}

Status write_capture(const std::string& path, int packets) {
  KDP_TRY(auto writer, kdp::pcap::CaptureWriter::create(path));
  const kdp::pcap::SocketAddress debugger{kdp::pcap::IpAddress::v4(0x7f000001), 50000};
  const kdp::pcap::SocketAddress kernel{kdp::pcap::IpAddress::v4(0x7f000001), 41139};
  int64_t t = 1'700'000'000'000'000'000;
  for (int i = 0; i < packets / 2; ++i) {
    const uint8_t seq = static_cast<uint8_t>(i + 1);
    const uint64_t address = kBase + uint64_t(i) * 512;
    KDP_TRY_STATUS(writer->write_udp(t += 50'000, debugger, kernel, readmem64(seq, address, 512)));
    KDP_TRY_STATUS(writer->write_udp(t += 80'000, kernel, debugger, readmem64_reply(seq, address, 512)));
  }
  return {};
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int packets = 10000, runs = 5;
  std::string keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--packets")) packets = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--keep")) keep = argv[i + 1];
  }
  const std::string path = keep.empty() ? "/tmp/pcap_bench_" + std::to_string(::getpid()) + ".pcap" : keep;
  if (Status s = write_capture(path, packets); !s) {
    std::fprintf(stderr, "pcap_bench: %s\n", s.error().message().c_str());
    return 1;
  }
  std::vector<double> ours;
  uint64_t known = 0;
  for (int r = 0; r < runs; ++r) {
    const auto start = Clock::now();
    auto state = kdp::pcap::load_replay(path);
    ours.push_back(ms_since(start));
    if (!state) {
      std::fprintf(stderr, "pcap_bench: %s\n", state.error().message().c_str());
      return 1;
    }
    known = state->memory.known_bytes();
  }
  std::vector<double> theirs;
  const std::string command = "tshark -r " + path + " -q >/dev/null 2>&1";
  const bool have_tshark = std::system("command -v tshark >/dev/null 2>&1") == 0;
  for (int r = 0; have_tshark && r < runs; ++r) {
    const auto start = Clock::now();
    if (std::system(command.c_str()) != 0) break;
    theirs.push_back(ms_since(start));
  }
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  std::printf("capture: %d packets, %llu bytes of memory rebuilt\n", packets, (unsigned long long)known);
  std::printf("kdpctl load+pair+replay: best %.1f ms, median %.1f ms (%d runs; goal <= 200 ms)\n", ours.front(),
              ours[ours.size() / 2], runs);
  if (theirs.empty())
    std::printf("tshark -r FILE -q: not measured (tshark not installed)\n");
  else
    std::printf("tshark -r FILE -q: best %.1f ms, median %.1f ms (%zu runs, process start included)\n", theirs.front(),
                theirs[theirs.size() / 2], theirs.size());
  if (keep.empty()) ::unlink(path.c_str());
  return 0;
}
