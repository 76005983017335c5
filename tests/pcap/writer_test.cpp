// CaptureWriter and RecordingTransport: what they write reads back (through the reader, and the
// frame bytes as RFC 791/768 lay them out), files we may not truncate are refused.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <fstream>

#include "kdp/pcap/capture.h"
#include "kdp/pcap/capture_writer.h"
#include "kdp/pcap/frame_builder.h"
#include "kdp/pcap/recording_transport.h"

using namespace kdp;

namespace {

std::string temp_path(const std::string& name) {
  return std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/kdpctl_pcap_" +
         std::to_string(::getpid()) + "_" + name;
}

class FakeTransport final : public client::Transport {
 public:
  Time now() override { return Time(0); }
  Endpoint local() const override { return Endpoint{0x7f000001, 50123}; }
  Status send(const Datagram& d) override {
    sent.push_back(d);
    return {};
  }
  std::optional<Datagram> receive(Time) override {
    if (inbox.empty()) return std::nullopt;
    Datagram d = inbox.front();
    inbox.pop_front();
    return d;
  }
  std::vector<Datagram> sent;
  std::deque<Datagram> inbox;
};

}  // namespace

TEST_CASE("an IPv4 frame is laid out as RFC 791/768 say, with valid checksums") {
  kdp::pcap::FrameSpec spec{{kdp::pcap::IpAddress::v4(0x7f000001), 50000}, {kdp::pcap::IpAddress::v4(0x7f000001), 41139}, 0x1234};
  const Bytes payload = {0x02, 0x02, 0x08, 0, 0, 0, 0, 0};
  auto frame = kdp::pcap::build_udp_frame(spec, payload);
  REQUIRE(frame);
  REQUIRE(frame->size() == 14 + 20 + 8 + 8);
  CHECK((*frame)[12] == 0x08);
  CHECK((*frame)[13] == 0x00);
  const uint8_t* ip = frame->data() + 14;
  CHECK(ip[0] == 0x45);
  CHECK((ip[2] << 8 | ip[3]) == 36);
  CHECK((ip[4] << 8 | ip[5]) == 0x1234);
  CHECK(ip[9] == 17);
  // A correct header sums to 0xffff (RFC 1071).
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += ip[i] << 8 | ip[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  CHECK(sum == 0xffff);
  const uint8_t* udp = ip + 20;
  CHECK((udp[0] << 8 | udp[1]) == 50000);
  CHECK((udp[2] << 8 | udp[3]) == 41139);
  CHECK((udp[4] << 8 | udp[5]) == 16);
  // UDP checksum over pseudo-header + segment also sums to 0xffff.
  uint32_t u = 0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 17 + 16;
  for (int i = 0; i < 16; i += 2) u += udp[i] << 8 | udp[i + 1];
  while (u >> 16) u = (u & 0xffff) + (u >> 16);
  CHECK(u == 0xffff);
}

TEST_CASE("the recording transport writes both directions with real ports and reads back") {
  const std::string path = temp_path("rec.pcap");
  auto writer = kdp::pcap::CaptureWriter::create(path);
  REQUIRE(writer);
  std::shared_ptr<kdp::pcap::CaptureWriter> shared = std::move(writer).value();
  auto fake = std::make_unique<FakeTransport>();
  FakeTransport* inner = fake.get();
  int64_t clock = 1'700'000'000'000'000'000;
  kdp::pcap::RecordingTransport recording(std::move(fake), shared, [&] { return clock += 1000; });
  const Bytes request = {0x03, 0x01, 0x08, 0, 0, 0, 0, 0};
  const Bytes reply = {0x83, 0x01, 0x18, 0, 0, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  REQUIRE(recording.send(Datagram{Endpoint{0x7f000001, 41139}, request}));
  inner->inbox.push_back(Datagram{Endpoint{0x7f000001, 41139}, reply});
  auto got = recording.receive(Time(0));
  REQUIRE(got);
  CHECK(got->bytes == reply);
  CHECK(inner->sent.size() == 1);
  // Flushed per packet: readable before the writer is closed.
  auto capture = kdp::pcap::load_capture(path);
  REQUIRE(capture);
  REQUIRE(capture->datagrams.size() == 2);
  CHECK(capture->datagrams[0].payload == request);
  CHECK(kdp::pcap::to_string(capture->datagrams[0].source) == "127.0.0.1:50123");
  CHECK(kdp::pcap::to_string(capture->datagrams[0].destination) == "127.0.0.1:41139");
  CHECK(capture->datagrams[0].time_ns == 1'700'000'000'000'001'000);
  CHECK(capture->datagrams[1].payload == reply);
  CHECK(capture->datagrams[1].direction == kdp::pcap::Direction::kFromTarget);
  CHECK(capture->linktype == "EN10MB");
  shared.reset();
  ::unlink(path.c_str());
}

TEST_CASE("IPv6 frames round-trip") {
  const std::string path = temp_path("v6.pcap");
  {
    auto writer = kdp::pcap::CaptureWriter::create(path);
    REQUIRE(writer);
    kdp::pcap::IpAddress lo;
    lo.v6 = true;
    lo.bytes[15] = 1;
    REQUIRE((*writer)->write_udp(5'000'000'000, {lo, 50000}, {lo, 41139}, Bytes{0x02, 0x00, 0x08, 0, 0, 0, 0, 0}));
  }
  auto capture = kdp::pcap::load_capture(path);
  REQUIRE(capture);
  REQUIRE(capture->datagrams.size() == 1);
  CHECK(kdp::pcap::to_string(capture->datagrams[0].source) == "[::1]:50000");
  ::unlink(path.c_str());
}

TEST_CASE("an existing capture of ours is replaced; a directory is refused; a device is streamed to") {
  const std::string path = temp_path("old.pcap");
  { std::ofstream(path) << std::string(10000, 'x'); }
  {
    auto writer = kdp::pcap::CaptureWriter::create(path);
    REQUIRE(writer);
  }
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_size == 24);  // only the new pcap header
  ::unlink(path.c_str());

  const std::string dir = temp_path("dir");
  REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
  CHECK_FALSE(kdp::pcap::CaptureWriter::create(dir));
  ::rmdir(dir.c_str());

  auto null_device = kdp::pcap::CaptureWriter::create("/dev/null");
  REQUIRE(null_device);
  CHECK((*null_device)->write_udp(0, {kdp::pcap::IpAddress::v4(1), 1}, {kdp::pcap::IpAddress::v4(2), 2}, Bytes{1}));
}
