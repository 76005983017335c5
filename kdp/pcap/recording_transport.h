// A Transport decorator that records every datagram the client sends and receives into a capture
// (CaptureWriter), with the real addresses and ports and wall-clock timestamps, then passes it on
// unchanged. The client engine never knows: it is handed this instead of the socket transport.
//
// A recording failure (disk full) must not break the debugging session it records: the first
// failure is kept (recording_error()) and later datagrams are no longer written.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "kdp/client/transport.h"
#include "kdp/pcap/capture_writer.h"

namespace kdp::pcap {

class RecordingTransport final : public client::Transport {
 public:
  using WallClock = std::function<int64_t()>;  // ns since the Unix epoch

  // `writer` may be shared by several transports of one command (a session that starts over).
  RecordingTransport(std::unique_ptr<client::Transport> inner, std::shared_ptr<CaptureWriter> writer,
                     WallClock clock = {});

  Time now() override { return inner_->now(); }
  Endpoint local() const override { return inner_->local(); }
  Status send(const Datagram& datagram) override;
  std::optional<Datagram> receive(Time until) override;

  const std::optional<Error>& recording_error() const { return error_; }

 private:
  void record(const Endpoint& from, const Endpoint& to, ByteView bytes);

  std::unique_ptr<client::Transport> inner_;
  std::shared_ptr<CaptureWriter> writer_;
  WallClock clock_;
  std::optional<Error> error_;
};

// The system clock in ns since the epoch.
int64_t wall_clock_ns();

}  // namespace kdp::pcap
