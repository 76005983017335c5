#include "kdp/net/udp.h"

#include "kdp/base/bytes.h"

#include <uv.h>

#include <cstring>
#include <string>

namespace kdp::net {
namespace {

Error uv_error(std::string_view what, int status) {
  return Error(ErrorKind::kIo, std::string(what) + ": " + uv_strerror(status));
}

sockaddr_in to_sockaddr(const Endpoint& e) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(e.port);
  sa.sin_addr.s_addr = htonl(e.ipv4);
  return sa;
}

Endpoint from_sockaddr(const sockaddr_in& sa) {
  return Endpoint{ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
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

Expected<Endpoint> resolve(std::string_view target, uint16_t default_port) {
  std::string host(target);
  uint16_t port = default_port;
  if (auto colon = target.rfind(':'); colon != std::string_view::npos) {
    host = std::string(target.substr(0, colon));
    std::string digits(target.substr(colon + 1));
    char* end = nullptr;
    unsigned long p = std::strtoul(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0' || p == 0 || p > 65535)
      return usage_error("'" + std::string(target) + "': port must be a number from 1 to 65535");
    port = static_cast<uint16_t>(p);
  }
  if (host.empty()) return usage_error("'" + std::string(target) + "': missing host name");
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0 || result == nullptr)
    return Error(ErrorKind::kNotFound, "cannot resolve '" + host + "': " + gai_strerror(rc));
  Endpoint e = from_sockaddr(*reinterpret_cast<const sockaddr_in*>(result->ai_addr));
  freeaddrinfo(result);
  e.port = port;
  return e;
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
    if (nread < 0 || addr == nullptr || addr->sa_family != AF_INET) return;
    auto* self = static_cast<UdpSocket*>(h->data);
    if (self == nullptr || !self->on_receive_) return;
    Datagram d;
    d.peer = from_sockaddr(*reinterpret_cast<const sockaddr_in*>(addr));
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
  sockaddr_in sa = to_sockaddr(local);
  if (int rc = uv_udp_bind(s->handle_, reinterpret_cast<const sockaddr*>(&sa), 0); rc != 0)
    return uv_error("bind " + to_string(local), rc);
  sockaddr_in bound{};
  int len = sizeof bound;
  uv_udp_getsockname(s->handle_, reinterpret_cast<sockaddr*>(&bound), &len);
  s->local_ = from_sockaddr(bound);
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

Status UdpSocket::send(const Datagram& datagram) {
  sockaddr_in sa = to_sockaddr(datagram.peer);
  uv_buf_t buf = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(datagram.bytes.data())),
                             static_cast<unsigned>(datagram.bytes.size()));
  int rc = uv_udp_try_send(handle_, &buf, 1, reinterpret_cast<const sockaddr*>(&sa));
  if (rc == UV_EAGAIN) {
    // The kernel's send buffer is full: queue an asynchronous send that owns a copy.
    struct SendRequest {
      uv_udp_send_t req;
      Bytes bytes;
    };
    auto* r = new SendRequest{{}, datagram.bytes};
    uv_buf_t owned = uv_buf_init(reinterpret_cast<char*>(r->bytes.data()),
                                 static_cast<unsigned>(r->bytes.size()));
    rc = uv_udp_send(&r->req, handle_, &owned, 1, reinterpret_cast<const sockaddr*>(&sa),
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
