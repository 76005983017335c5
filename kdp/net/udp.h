// libuv adapters shared by kdp-sim and the client Session: an event loop, a UDP socket that
// delivers whole datagrams, a one-shot timer, and name resolution. No protocol decisions here:
// the sans-I/O engines make them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/endpoint.h"
#include "kdp/base/error.h"

struct uv_loop_s;
struct uv_udp_s;
struct uv_timer_s;

namespace kdp::net {

struct HostPort {
  std::string host;  // without brackets or a trailing root dot
  uint16_t port = 0;
};
// "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address ("::1": two or more colons
// and no brackets means no port). Port 0 only if allowed (a listener's "ephemeral").
Expected<HostPort> split_host_port(std::string_view target, uint16_t default_port, bool allow_port_zero = false);
// Resolve such a target through the system resolver (so /etc/hosts entries work), A or AAAA; an
// IPv4 address wins when the name has both (xnu speaks IPv4 only). "localhost." resolves too.
Expected<Endpoint> resolve(std::string_view target, uint16_t default_port, bool allow_port_zero = false);
// Parse "a.b.c.d" (no resolver).
Expected<uint32_t> parse_ipv4(std::string_view text);

// Monotonic clock of the adapters (uv_hrtime).
Time monotonic_now();

class EventLoop {
 public:
  EventLoop();
  // Sockets and timers must be destroyed before their loop; any handle still open is closed here.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  uv_loop_s* get() { return loop_.get(); }
  // Run until no handle is active or stop() is called.
  void run();
  // Process one round of events, blocking for at most until the next timer fires.
  void run_once();
  // Process ready events without blocking.
  void poll();
  void stop();

 private:
  std::unique_ptr<uv_loop_s> loop_;
};

class UdpSocket {
 public:
  using ReceiveFn = std::function<void(Datagram)>;

  // Bind to `local` (port 0: ephemeral) and start delivering datagrams to `on_receive`.
  static Expected<std::unique_ptr<UdpSocket>> open(EventLoop& loop, Endpoint local, ReceiveFn on_receive);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  Endpoint local() const { return local_; }
  // Talk to `remote` only: the system then reports an ICMP port unreachable of an earlier send
  // as ECONNREFUSED (see error()), and datagrams from elsewhere are filtered out.
  Status connect(Endpoint remote);
  Status send(const Datagram& datagram);
  // The last error the socket reported (a libuv status, e.g. UV_ECONNREFUSED), 0 if none.
  int error() const { return error_; }
  // Forgets it: a refusal answers the datagrams sent before it, not the next one (the target may
  // be listening again by then).
  void clear_error() { error_ = 0; }

 private:
  UdpSocket() = default;
  uv_udp_s* handle_ = nullptr;  // freed by its close callback
  Endpoint local_;
  std::optional<Endpoint> connected_;
  int error_ = 0;
  ReceiveFn on_receive_;
  friend struct UdpCallbacks;
};

class Timer {
 public:
  explicit Timer(EventLoop& loop);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Fire `fn` once after `delay` (replaces any pending shot).
  void start(Duration delay, std::function<void()> fn);
  void stop();

 private:
  uv_timer_s* handle_ = nullptr;  // freed by its close callback
  std::function<void()> fn_;
  friend struct TimerCallbacks;
};

}  // namespace kdp::net
