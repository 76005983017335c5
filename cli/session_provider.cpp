#include "cli/session_provider.h"

#include "kgm/cached_memory.h"
#include "kgm/session_memory.h"

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

// SessionMemory under its cache, in one allocation the returned pointer owns.
struct CachedSessionMemory {
  CachedSessionMemory(client::Session& session, std::shared_ptr<void> keep)
      : keep(std::move(keep)), raw(session), cached(raw, [&session] { return session.generation(); }) {}
  std::shared_ptr<void> keep;
  kgm::SessionMemory raw;
  kgm::CachedMemory cached;
};

}  // namespace

std::shared_ptr<kgm::Memory> cached_session_memory(client::Session& session, std::shared_ptr<void> keep) {
  auto owner = std::make_shared<CachedSessionMemory>(session, std::move(keep));
  return std::shared_ptr<kgm::Memory>(owner, &owner->cached);
}

std::shared_ptr<kgm::Memory> SessionProvider::memory(client::Session& session) {
  return cached_session_memory(session);
}

SessionProvider& udp_session_provider() {
  static UdpSessionProvider provider;
  return provider;
}

}  // namespace kdp::cli
