#include "cli/session_provider.h"

namespace kdp::cli {
namespace {

class UdpSessionProvider final : public SessionProvider {
 public:
  Expected<std::unique_ptr<client::Session>> open(const std::string& target, AttachKind kind,
                                                  client::SessionOptions options) override {
    return kind == AttachKind::kReattach ? client::Session::reattach(target, std::move(options))
                                         : client::Session::connect(target, std::move(options));
  }
};

}  // namespace

SessionProvider& udp_session_provider() {
  static UdpSessionProvider provider;
  return provider;
}

}  // namespace kdp::cli
