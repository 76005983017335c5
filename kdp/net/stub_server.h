// The libuv adapter around the stub's StubEngine (kdp-sim), beside the client's (udp_transport.h): a UDP socket, the engine's timer, and a queue that delays,
// duplicates or drops datagrams in both directions when fault injection is on. It makes no
// protocol decision: it only moves datagrams and time between the socket and the engine.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "kdp/net/faults.h"
#include "kdp/net/udp.h"
#include "kdp/stub/stub_engine.h"

namespace kdp::net {

// Where the server's notes go (the library prints nothing): the engine's console lines (info),
// every datagram (debug; formatted only when set), send failures (warn).
struct StubServerLog {
  std::function<void(const std::string&)> debug, info, warn;
};

class StubServer {
 public:
  // Faults apply to datagrams the simulator receives (before the engine sees them) and sends
  // (after the engine produced them), each direction with its own generator: `faults.seed` for
  // received, `faults.seed + 1` for sent datagrams.
  StubServer(EventLoop& loop, stub::StubEngine& engine, std::optional<FaultConfig> faults, StubServerLog log = {});

  Status listen(Endpoint local);
  Endpoint local() const { return socket_->local(); }
  const FaultInjector* received_faults() const { return rx_faults_.get(); }
  const FaultInjector* sent_faults() const { return tx_faults_.get(); }

 private:
  struct InFlight {
    bool to_engine = false;  // else: to the socket
    Datagram datagram;
  };

  void on_receive(Datagram datagram);
  void deliver(const Datagram& datagram);
  void transmit(const Datagram& datagram);
  void pump();  // hand the engine's output to the socket and the log, re-arm its timer
  void hold(Time at, InFlight item);
  void release_due();
  void arm_queue_timer();

  StubServerLog log_;
  EventLoop& loop_;
  stub::StubEngine& engine_;
  std::unique_ptr<UdpSocket> socket_;
  std::unique_ptr<FaultInjector> rx_faults_, tx_faults_;
  std::multimap<Time, InFlight> in_flight_;  // equal times keep their order
  Timer engine_timer_;
  Timer queue_timer_;
};

}  // namespace kdp::net
