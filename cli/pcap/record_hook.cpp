#include "cli/pcap/record_hook.h"

#include "cli/pcap/replay_session.h"
#include "kdp/pcap/recording_transport.h"

namespace kdp::cli {

void add_recording(const Invocation& inv, client::SessionOptions& options) {
  if (!inv.global.record) return;
  const Invocation* invocation = &inv;
  options.wrap_transport =
      [invocation](std::unique_ptr<client::Transport> inner) -> Expected<std::unique_ptr<client::Transport>> {
    if (!invocation->recorder) {
      KDP_TRY(invocation->recorder, pcap::CaptureWriter::create(*invocation->global.record));
    }
    return std::unique_ptr<client::Transport>(new pcap::RecordingTransport(std::move(inner), invocation->recorder));
  };
}

std::optional<Expected<std::unique_ptr<client::Session>>> replay_session_if_requested(const Invocation& inv) {
  if (!inv.global.replay) return std::nullopt;
  return open_replay_session(*inv.global.replay);
}

}  // namespace kdp::cli
