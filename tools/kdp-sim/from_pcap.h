// kdp-sim --from-pcap FILE: the simulated kernel's state rebuilt from a capture (kdp/pcap/replay.h)
// instead of a core file, served through the same stub engine.
//
// The stub's memory is page-granular (like xnu's, a read stops at the first unmapped page), so a
// page the capture holds only part of is mapped whole and its other bytes read as zero; the
// summary line says how many such bytes there are. `kdpctl --replay` has no such limit: it fails
// on any byte the capture does not hold.
#pragma once

#include <string>

#include "kdp/base/error.h"
#include "tools/kdp-sim/snapshot.h"
#include "kdp/stub/stub_engine.h"

namespace kdp::sim {

struct CaptureTarget {
  stub::Snapshot snapshot;
  stub::TargetConfig config;
  std::string summary;  // "capture x.pcap: 12345 bytes of memory in 7 pages (2345 filled with zeros), registers, ..."
};

// `defaults` supplies what the capture does not show (e.g. no HOSTINFO reply in it).
Expected<CaptureTarget> target_from_capture(const std::string& path, const stub::TargetConfig& defaults);

}  // namespace kdp::sim
