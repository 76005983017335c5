// Session::reattach / Session::connect: open the transport the options name, run the handshake.
#include "kdp/client/session.h"

#include "kdp/client/kdp_session.h"

namespace kdp::client {
namespace {

// "macvm:41139" -> "macvm", "[::1]:41139" -> "::1", "::1" -> "::1".
std::string host_part(const std::string& target) {
  if (!target.empty() && target.front() == '[') return target.substr(1, target.find(']') - 1);
  auto colon = target.find(':');
  if (colon == std::string::npos || target.rfind(':') != colon) return target;
  return target.substr(0, colon);
}

// The transport, on the port of the conversation to resume if it is free (else afresh).
Expected<Route> open_route(const std::string& target, SessionOptions& options) {
  if (options.resume && options.local_port == 0) {
    auto route = options.transport(target, options.resume->local_port);
    if (route) return route;
    if (options.packet_log)
      options.packet_log("   cannot go on with the last session on port " + std::to_string(options.resume->local_port) +
                         " (" + route.error().message() + "): attaching afresh");
    options.resume.reset();
  }
  return options.transport(target, options.local_port);
}

Expected<std::unique_ptr<Session>> open_with(const std::string& target, SessionOptions options, AttachMode mode) {
  std::string step = (mode == AttachMode::kReattach ? "reattach " : "connect ") + target;
  if (!options.transport) return usage_error(step + ": no transport given (SessionOptions::transport)");
  auto route = open_route(target, options);
  if (!route) return std::move(route).error().context(step);
  std::unique_ptr<Transport> used = std::move(route->transport);
  if (options.wrap_transport) {
    auto wrapped = options.wrap_transport(std::move(used));
    if (!wrapped) return std::move(wrapped).error().context(step);
    used = std::move(wrapped).value();
  }
  SessionSetup setup{host_part(target), route->target, std::move(options), std::nullopt};
  return open_session(std::move(used), std::move(setup), mode);
}

}  // namespace

Expected<std::unique_ptr<Session>> Session::reattach(const std::string& target, SessionOptions options) {
  return open_with(target, std::move(options), AttachMode::kReattach);
}

Expected<std::unique_ptr<Session>> Session::connect(const std::string& target, SessionOptions options) {
  return open_with(target, std::move(options), AttachMode::kConnect);
}

}  // namespace kdp::client
