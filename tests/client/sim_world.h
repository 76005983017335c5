// The deterministic simulation: one StubEngine (the kernel), any number of debugger endpoints,
// a virtual clock and a network that loses, duplicates, reorders and delays datagrams as a
// FaultInjector (kdp/net/faults.h) decides from a seed. Debuggers reach it through SimTransport,
// so the real KdpSession code runs on top. Everything happens in one thread, in virtual time:
// a run with a given seed replays exactly.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <deque>
#include <vector>

#include "kdp/client/transport.h"
#include "kdp/net/faults.h"
#include "kdp/stub/stub_engine.h"

namespace kdp::sim {

inline constexpr Endpoint kKernel{0x0a000002, 41139};  // 10.0.0.2:41139 (virtual, never on a wire)
inline constexpr uint32_t kDebuggerIp = 0x0a000001;   // 10.0.0.1

struct WorldConfig {
  net::FaultConfig to_kernel;
  net::FaultConfig to_debuggers;
  // Forgeries: for this fraction of requests sent, a copy of the would-be reply with bogus data
  // arrives from a foreign endpoint first; for this fraction, random bytes from the kernel's own
  // address. Neither may ever be taken for a reply.
  double forged_replies = 0;
  double garbage = 0;
  uint64_t seed = 1;
  // Safety net against livelock: after this many events the network swallows everything, so
  // every wait in the client times out in virtual time and the run ends (reported as a hang).
  uint64_t event_budget = 2'000'000;
};

struct KernelDelivery {
  Datagram datagram;  // peer = source
  bool executed;      // the stub dispatched it to a handler
};

class SimWorld {
 public:
  SimWorld(stub::StubEngine kernel, WorldConfig config);

  Time now() const { return now_; }
  stub::StubEngine& kernel() { return kernel_; }
  bool exhausted() const { return exhausted_; }
  // Turns true with exhausted(): given to sessions as their interrupt flag, it ends waits that the
  // swallowing network alone cannot end in reasonable time (a `continue` waits a year of virtual
  // time for a stop, with the kernel's timers firing every step).
  const std::atomic<bool>* exhaustion_flag() const { return &exhausted_; }
  uint64_t events() const { return events_; }

  // A debugger endpoint on this world (10.0.0.1:port).
  // Like a socket bound to the port: datagrams for a port nobody holds are lost, and a new holder
  // sees only what arrives after it bound the port (a later process on the same port, as a
  // resumed kdpctl conversation is, does not read the previous one's queue).
  std::unique_ptr<client::Transport> attach(uint16_t port);
  void release(uint16_t port);

  void send(Endpoint from, const Datagram& datagram);
  // Runs the world until a datagram for `to` is ready (returned) or `until` passes.
  std::optional<Datagram> receive(Endpoint to, Time until);
  // Lets time pass (the user thinks), delivering everything due meanwhile.
  void advance(Duration d);

  // Drops the next datagrams that match, before fault injection (targeted scenarios).
  void drop_if(std::function<bool(const Datagram& d, Endpoint from)> predicate) { drop_if_ = std::move(predicate); }
  // Called for every datagram the kernel receives.
  void on_kernel_delivery(std::function<void(const KernelDelivery&)> tap) { tap_ = std::move(tap); }
  // Receives the kernel's console lines (verbose replays).
  void on_kernel_log(std::function<void(const std::string&)> sink) { kernel_log_ = std::move(sink); }
  // Sends from anywhere (a forger, a foreign host) to `to` after `delay`.
  void inject(Endpoint from, Endpoint to, Bytes bytes, Duration delay);

 private:
  struct InFlight {
    Time at;
    uint64_t order;  // FIFO among equal times: the run is a pure function of the seed
    Endpoint from, to;
    Bytes bytes;
    bool operator>(const InFlight& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  void schedule(Endpoint from, Endpoint to, Bytes bytes, Time at);
  void route(Endpoint from, const Datagram& datagram, net::FaultInjector& faults);
  void forge(Endpoint from, const Datagram& request);
  bool step(Time until);  // one event at or before `until`; false when there is none
  void deliver(InFlight event);
  void flush_kernel();
  std::deque<Datagram>& inbox(Endpoint e) { return inboxes_[uint64_t(e.ipv4) << 16 | e.port]; }

  stub::StubEngine kernel_;
  WorldConfig config_;
  net::FaultInjector to_kernel_, to_debuggers_;
  std::mt19937_64 rng_;
  Time now_{0};
  uint64_t order_ = 0, events_ = 0;
  std::atomic<bool> exhausted_{false};
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> in_flight_;
  std::map<uint64_t, std::deque<Datagram>> inboxes_;
  std::map<uint16_t, int> bound_;  // debugger ports held by transports: how many
  std::function<bool(const Datagram&, Endpoint)> drop_if_;
  std::function<void(const KernelDelivery&)> tap_;
  std::function<void(const std::string&)> kernel_log_;
};

// client::Transport for one debugger endpoint of a SimWorld.
class SimTransport final : public client::Transport {
 public:
  SimTransport(SimWorld& world, Endpoint local) : world_(world), local_(local) {}
  ~SimTransport() override { world_.release(local_.port); }
  Time now() override { return world_.now(); }
  Endpoint local() const override { return local_; }
  Status send(const Datagram& datagram) override;
  std::optional<Datagram> receive(Time until) override { return world_.receive(local_, until); }

 private:
  SimWorld& world_;
  Endpoint local_;
};

}  // namespace kdp::sim
