#include "kdp/pcap/recording_transport.h"

#include <chrono>

namespace kdp::pcap {

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RecordingTransport::RecordingTransport(std::unique_ptr<client::Transport> inner, std::shared_ptr<CaptureWriter> writer,
                                       WallClock clock)
    : inner_(std::move(inner)), writer_(std::move(writer)), clock_(clock ? std::move(clock) : wall_clock_ns) {}

void RecordingTransport::record(const Endpoint& from, const Endpoint& to, ByteView bytes) {
  if (error_ || !writer_) return;
  Status written = writer_->write_udp(clock_(), from_endpoint(from), from_endpoint(to), bytes);
  if (!written) error_ = std::move(written).error();
}

Status RecordingTransport::send(const Datagram& datagram) {
  Status sent = inner_->send(datagram);
  // A datagram the OS refused never reached the wire: it is not in the capture either.
  if (sent) record(inner_->local(), datagram.peer, datagram.bytes);
  return sent;
}

std::optional<Datagram> RecordingTransport::receive(Time until) {
  std::optional<Datagram> datagram = inner_->receive(until);
  if (datagram) record(datagram->peer, inner_->local(), datagram->bytes);
  return datagram;
}

}  // namespace kdp::pcap
