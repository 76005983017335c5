// Link: runs the sans-I/O ClientEngine over a Transport, one blocking request at a time. This is
// the seam that lets the same operation code (KdpSession: handshake, chunked reads, breakpoints,
// stepping) run over real UDP and inside the deterministic simulation: operations are plain
// sequential code calling request()/wait_for_stop(), and only the Transport differs.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "kdp/client/client_engine.h"
#include "kdp/client/transport.h"

namespace kdp::client {

class Link {
 public:
  Link(std::unique_ptr<Transport> transport, EngineConfig config,
       const std::atomic<bool>* interrupt = nullptr);

  // One request, retransmitted until answered or failed. A request that must not run twice is
  // preceded by an idempotent filler (KDP_VERSION) while the next seq is 255 or the kernel's
  // expected seq is uncertain, so that it never meets the seq-255 hazard.
  Expected<wire::Packet> request(RequestSpec spec);
  Completion run(RequestSpec spec);  // the same, with attempts and timing; no filler
  // The fillers request() sends in front of a non-idempotent request.
  Status settle_sequence();
  // The next new stop notification, waiting until `deadline` (kTimeout) or an interrupt.
  Expected<StopNotice> wait_for_stop(Time deadline);
  // Processes whatever has already arrived, without waiting.
  void poll();

  ClientEngine& engine() { return engine_; }
  const ClientEngine& engine() const { return engine_; }
  Transport& transport() { return *transport_; }
  const Transport& transport() const { return *transport_; }
  Time now() { return transport_->now(); }

 private:
  void flush();
  bool pump(Time until);  // false: nothing arrived and the clock stood still
  bool interrupted() const { return interrupt_ != nullptr && interrupt_->load(); }

  std::unique_ptr<Transport> transport_;
  ClientEngine engine_;
  const std::atomic<bool>* interrupt_;
  std::optional<std::string> send_error_;  // the last failed send, for timeout messages
};

}  // namespace kdp::client
