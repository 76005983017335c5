// The deterministic simulation across sessions, the way kdpctl uses the library: one short
// session per "command", each from a new port, one after the other against the same simulated
// kernel over a lossy, duplicating, reordering network, with no pause between them, so that
// delayed copies of an earlier command's REATTACH and CONNECT land in the next one's handshake.
// Every command must succeed with the right answer: no error is tolerated, hazard or not.
#pragma once

#include <cstdint>
#include <string>

#include "kdp/base/endpoint.h"

namespace kdp::sim {

struct CommandsReport {
  uint64_t seed = 0;
  bool ok = true;
  std::string failure;       // the command, what was wrong, and the last packets
  uint64_t commands = 0;
  uint64_t stale_handshakes = 0;  // REATTACH/CONNECT of an earlier command the kernel executed
  uint64_t stale_requests = 0;    // breakpoint requests/writes of an earlier command it executed
  uint64_t recoveries = 0;        // times a session regained a kernel that fell silent
  uint64_t retransmissions = 0;
  Duration virtual_time{0};
};

// verbose: print every command and packet as it happens (replaying one seed).
CommandsReport run_commands(uint64_t seed, bool verbose = false);

}  // namespace kdp::sim
