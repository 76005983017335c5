// One seeded run of the deterministic simulation: a random kernel, a random faulty network and a
// random mixed workload (reattach, reads, writes, registers, breakpoints, continue/stop, single
// steps, a second debugger barging in, a new session reusing a port) driven through the real
// KdpSession, with every result checked against the simulated kernel's state.
#pragma once

#include <cstdint>
#include <string>

#include "kdp/base/endpoint.h"

namespace kdp::sim {

struct RunReport {
  uint64_t seed = 0;
  bool ok = true;
  bool hang = false;
  std::string failure;  // the op and what was wrong
  uint64_t ops = 0;
  uint64_t requests = 0;
  uint64_t retransmissions = 0;
  uint64_t resyncs = 0;
  uint64_t discarded = 0;
  uint64_t stops = 0;
  uint64_t handovers = 0;        // barge-ins and port reuses
  uint64_t resumes = 0;          // sessions that went on with the previous one's conversation
  uint64_t seq255 = 0;           // requests the kernel executed under seq 255
  // Sessions during which the kernel executed a stale request of an earlier session, or a
  // delayed duplicate of this session's CONNECT/REATTACH after its CONNECT: KDP cannot always
  // recover from those, so errors (never wrong results) are tolerated in that session.
  uint64_t hazards = 0;
  uint64_t tolerated_errors = 0;
  Duration virtual_time{0};
};

// verbose: print every operation (for replaying one seed).
RunReport run_workload(uint64_t seed, bool verbose = false);

}  // namespace kdp::sim
