#include "kdp/net/udp.h"

#include "kdp/base/bytes.h"

#include <uv.h>

#include <cctype>
#include <cstring>
#include <optional>
#include <string>

namespace kdp::net {
namespace {

Error uv_error(std::string_view what, int status) {
  return Error(ErrorKind::kIo, std::string(what) + ": " + uv_strerror(status));
}

// Room for either family; `size` is what to pass to the socket calls.
struct SocketAddress {
  sockaddr_storage storage{};
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SocketAddress to_sockaddr(const Endpoint& e) {
  SocketAddress a;
  if (e.is_v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&a.storage);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(e.port);
    std::memcpy(&sa->sin6_addr, e.ipv6.data(), 16);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&a.storage);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(e.port);
    sa->sin_addr.s_addr = htonl(e.ipv4);
  }
  return a;
}

std::optional<Endpoint> from_sockaddr(const sockaddr* sa) {
  Endpoint e;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    e.ipv4 = ntohl(in->sin_addr.s_addr);
    e.port = ntohs(in->sin_port);
    return e;
  }
  if (sa->sa_family != AF_INET6) return std::nullopt;
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  // An IPv4 peer of a dual-stack socket (::ffff:a.b.c.d) is an IPv4 endpoint.
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const auto* bytes = reinterpret_cast<const uint8_t*>(&in6->sin6_addr);
  if (std::memcmp(bytes, kMapped, 12) == 0) {
    e.ipv4 = uint32_t(bytes[12]) << 24 | uint32_t(bytes[13]) << 16 | uint32_t(bytes[14]) << 8 | bytes[15];
  } else {
    e.is_v6 = true;
    std::memcpy(e.ipv6.data(), bytes, 16);
  }
  e.port = ntohs(in6->sin6_port);
  return e;
}

Expected<uint16_t> parse_port(const std::string& digits, std::string_view target, bool allow_zero) {
  char* end = nullptr;
  unsigned long p = std::strtoul(digits.c_str(), &end, 10);
  if (digits.empty() || *end != '\0' || !std::isdigit(static_cast<unsigned char>(digits[0])) ||
      (p == 0 && !allow_zero) || p > 65535)
    return usage_error("'" + std::string(target) + "': port must be a number from " + (allow_zero ? "0" : "1") +
                       " to 65535");
  return static_cast<uint16_t>(p);
}

void free_handle(uv_handle_t* h) { std::free(h); }

template <class Handle>
Handle* alloc_handle() {
  return static_cast<Handle*>(std::calloc(1, sizeof(Handle)));
}

}  // namespace

Time monotonic_now() { return Time(static_cast<int64_t>(uv_hrtime())); }

Expected<uint32_t> parse_ipv4(std::string_view text) {
  in_addr addr{};
  std::string s(text);
  if (uv_inet_pton(AF_INET, s.c_str(), &addr) != 0)
    return usage_error("'" + s + "' is not an IPv4 address");
  return ntohl(addr.s_addr);
}

Expected<HostPort> split_host_port(std::string_view target, uint16_t default_port, bool allow_port_zero) {
  HostPort out{std::string(target), default_port};
  std::string port_text;
  bool has_port = false;
  if (!target.empty() && target.front() == '[') {  // "[v6]" or "[v6]:port"
    auto close = target.find(']');
    if (close == std::string_view::npos) return usage_error("'" + std::string(target) + "': missing ']'");
    out.host = std::string(target.substr(1, close - 1));
    std::string_view rest = target.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return usage_error("'" + std::string(target) + "': expected ':PORT' after ']'");
      port_text = std::string(rest.substr(1));
      has_port = true;
    }
  } else if (auto colon = target.find(':'); colon != std::string_view::npos && target.rfind(':') == colon) {
    out.host = std::string(target.substr(0, colon));  // "host:port"; two or more colons: a bare v6 address
    port_text = std::string(target.substr(colon + 1));
    has_port = true;
  }
  if (has_port) {
    KDP_TRY(out.port, parse_port(port_text, target, allow_port_zero));
  }
  // "localhost." is the fully qualified spelling of "localhost": the resolver's files backend
  // only knows the name without the root's dot.
  if (out.host.size() > 1 && out.host.back() == '.') out.host.pop_back();
  if (out.host.empty()) return usage_error("'" + std::string(target) + "': missing host name");
  return out;
}

Expected<Endpoint> resolve(std::string_view target, uint16_t default_port, bool allow_port_zero) {
  KDP_TRY(HostPort hp, split_host_port(target, default_port, allow_port_zero));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(hp.host.c_str(), nullptr, &hints, &result);
  if (rc != 0 || result == nullptr)
    return Error(ErrorKind::kNotFound, "cannot resolve '" + hp.host + "': " + gai_strerror(rc));
  // xnu's stub speaks IPv4 only: an A record wins over an AAAA record of the same name.
  std::optional<Endpoint> v4, v6;
  for (const addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    auto e = from_sockaddr(ai->ai_addr);
    if (!e) continue;
    auto& slot = e->is_v6 ? v6 : v4;
    if (!slot) slot = e;
  }
  freeaddrinfo(result);
  std::optional<Endpoint> chosen = v4 ? v4 : v6;
  if (!chosen) return Error(ErrorKind::kNotFound, "cannot resolve '" + hp.host + "': no IPv4 or IPv6 address");
  chosen->port = hp.port;
  return *chosen;
}

// ---- EventLoop ----

EventLoop::EventLoop() : loop_(std::make_unique<uv_loop_t>()) { uv_loop_init(loop_.get()); }

EventLoop::~EventLoop() {
  uv_walk(
      loop_.get(),
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, free_handle);
      },
      nullptr);
  uv_run(loop_.get(), UV_RUN_DEFAULT);
  uv_loop_close(loop_.get());
}

void EventLoop::run() { uv_run(loop_.get(), UV_RUN_DEFAULT); }
void EventLoop::run_once() { uv_run(loop_.get(), UV_RUN_ONCE); }
void EventLoop::poll() { uv_run(loop_.get(), UV_RUN_NOWAIT); }
void EventLoop::stop() { uv_stop(loop_.get()); }

// ---- UdpSocket ----

struct UdpCallbacks {
  static void alloc(uv_handle_t*, size_t, uv_buf_t* buf) {
    // One datagram at a time; 64 KiB holds any UDP payload.
    static thread_local char storage[65536];
    *buf = uv_buf_init(storage, sizeof storage);
  }
  static void receive(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                      unsigned) {
    auto* self = static_cast<UdpSocket*>(h->data);
    if (self == nullptr) return;
    if (nread < 0) {
      // A connected socket reports an ICMP error of an earlier send here (ECONNREFUSED).
      self->error_ = static_cast<int>(nread);
      return;
    }
    if (addr == nullptr || !self->on_receive_) return;
    auto peer = from_sockaddr(addr);
    if (!peer) return;
    Datagram d;
    d.peer = *peer;
    d.bytes.assign(buf->base, buf->base + nread);
    self->on_receive_(std::move(d));
  }
};

Expected<std::unique_ptr<UdpSocket>> UdpSocket::open(EventLoop& loop, Endpoint local, ReceiveFn on_receive) {
  std::unique_ptr<UdpSocket> s(new UdpSocket());
  s->handle_ = alloc_handle<uv_udp_t>();
  uv_udp_init(loop.get(), s->handle_);
  s->handle_->data = s.get();
  s->on_receive_ = std::move(on_receive);
  SocketAddress sa = to_sockaddr(local);
  if (int rc = uv_udp_bind(s->handle_, sa.get(), 0); rc != 0) return uv_error("bind " + to_string(local), rc);
  SocketAddress bound;
  int len = sizeof bound.storage;
  uv_udp_getsockname(s->handle_, reinterpret_cast<sockaddr*>(&bound.storage), &len);
  s->local_ = from_sockaddr(bound.get()).value_or(local);
  if (int rc = uv_udp_recv_start(s->handle_, UdpCallbacks::alloc, UdpCallbacks::receive); rc != 0)
    return uv_error("receive on " + to_string(s->local_), rc);
  return s;
}

UdpSocket::~UdpSocket() {
  if (handle_ == nullptr) return;
  handle_->data = nullptr;
  uv_udp_recv_stop(handle_);
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), free_handle);
}

Status UdpSocket::connect(Endpoint remote) {
  SocketAddress sa = to_sockaddr(remote);
  if (int rc = uv_udp_connect(handle_, sa.get()); rc != 0) return uv_error("connect to " + to_string(remote), rc);
  connected_ = remote;
  return {};
}

Status UdpSocket::send(const Datagram& datagram) {
  if (connected_ && !(datagram.peer == *connected_))
    return Error(ErrorKind::kUsage, "send to " + to_string(datagram.peer) + ": the socket is connected to " +
                                        to_string(*connected_));
  SocketAddress storage = to_sockaddr(datagram.peer);
  const sockaddr* sa = connected_ ? nullptr : storage.get();  // a connected socket takes no address
  uv_buf_t buf = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(datagram.bytes.data())),
                             static_cast<unsigned>(datagram.bytes.size()));
  int rc = uv_udp_try_send(handle_, &buf, 1, sa);
  if (rc == UV_ECONNREFUSED) error_ = rc;
  if (rc == UV_EAGAIN) {
    // The kernel's send buffer is full: queue an asynchronous send that owns a copy.
    struct SendRequest {
      uv_udp_send_t req;
      Bytes bytes;
    };
    auto* r = new SendRequest{{}, datagram.bytes};
    uv_buf_t owned = uv_buf_init(reinterpret_cast<char*>(r->bytes.data()),
                                 static_cast<unsigned>(r->bytes.size()));
    rc = uv_udp_send(&r->req, handle_, &owned, 1, sa,
                     [](uv_udp_send_t* req, int) { delete reinterpret_cast<SendRequest*>(req); });
    if (rc != 0) {
      delete r;
      return uv_error("send to " + to_string(datagram.peer), rc);
    }
    return {};
  }
  if (rc < 0) return uv_error("send to " + to_string(datagram.peer), rc);
  return {};
}

// ---- Timer ----

struct TimerCallbacks {
  static void fire(uv_timer_t* h) {
    auto* self = static_cast<Timer*>(h->data);
    if (self == nullptr || !self->fn_) return;
    auto fn = std::move(self->fn_);
    self->fn_ = nullptr;
    fn();
  }
};

Timer::Timer(EventLoop& loop) : handle_(alloc_handle<uv_timer_t>()) {
  uv_timer_init(loop.get(), handle_);
  handle_->data = this;
}

Timer::~Timer() {
  handle_->data = nullptr;
  uv_timer_stop(handle_);
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), free_handle);
}

void Timer::start(Duration delay, std::function<void()> fn) {
  fn_ = std::move(fn);
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(delay).count();
  uv_timer_start(handle_, TimerCallbacks::fire, static_cast<uint64_t>(ms < 0 ? 0 : ms), 0);
}

void Timer::stop() {
  fn_ = nullptr;
  uv_timer_stop(handle_);
}

}  // namespace kdp::net
