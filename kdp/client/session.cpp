// Session::reattach / Session::connect: resolve the target, open a UDP socket, run the handshake.
#include "kdp/client/session.h"

#include "kdp/client/kdp_session.h"
#include "kdp/client/udp_transport.h"
#include "kdp/net/udp.h"

namespace kdp::client {
namespace {

std::string host_part(const std::string& target) {
  auto colon = target.rfind(':');
  return colon == std::string::npos ? target : target.substr(0, colon);
}

Expected<std::unique_ptr<Session>> open_udp(const std::string& target, SessionOptions options, AttachMode mode) {
  std::string step = (mode == AttachMode::kReattach ? "reattach " : "connect ") + target;
  auto endpoint = net::resolve(target, wire::kKdpPort);
  if (!endpoint) return std::move(endpoint).error().context(step);
  Endpoint local = local_endpoint_for(*endpoint);
  local.port = options.local_port;
  auto transport = UdpTransport::open(local);
  if (!transport) return std::move(transport).error().context(step);
  std::unique_ptr<Transport> used = std::move(transport).value();
  if (options.wrap_transport) {
    auto wrapped = options.wrap_transport(std::move(used));
    if (!wrapped) return std::move(wrapped).error().context(step);
    used = std::move(wrapped).value();
  }
  SessionSetup setup{host_part(target), *endpoint, std::move(options), std::nullopt};
  return open_session(std::move(used), std::move(setup), mode);
}

}  // namespace

Expected<std::unique_ptr<Session>> Session::reattach(const std::string& target, SessionOptions options) {
  return open_udp(target, std::move(options), AttachMode::kReattach);
}

Expected<std::unique_ptr<Session>> Session::connect(const std::string& target, SessionOptions options) {
  return open_udp(target, std::move(options), AttachMode::kConnect);
}

}  // namespace kdp::client
