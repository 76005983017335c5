// `kdpctl --replay FILE COMMAND`: a client::Session whose answers come from a capture instead of a
// kernel. Memory reads go through kgm::ReplayMemory (captured bytes only); registers, VERSION,
// HOSTINFO and KERNELVERSION are the ones the capture shows. Anything that would change the
// kernel (writes, breakpoints, continue, step, detach, reboot) fails with a usage error: a
// recording cannot run.
#pragma once

#include <memory>
#include <string>

#include "kdp/client/session.h"
#include "kdp/pcap/replay.h"
#include "cli/invocation.h"

namespace kdp::cli {

// Reads the whole capture and rebuilds the target from it.
Expected<std::unique_ptr<client::Session>> open_replay_session(const std::string& path);

// The target facts of a replay as the live handshake would report them.
client::TargetInfo replay_target_info(const pcap::ReplayState& state);

}  // namespace kdp::cli
