// kdp-sim's command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kdp/base/endpoint.h"
#include "kdp/base/error.h"
#include "kdp/net/faults.h"
#include "kdp/stub/stub_engine.h"

namespace kdp::sim {

struct SimOptions {
  Endpoint listen{0x7f000001, 41139};
  std::string core_path;
  std::optional<std::string> from_pcap;  // serve the state rebuilt from a capture instead of a core
  stub::TargetConfig target;
  std::optional<std::vector<uint64_t>> script;
  Duration step = std::chrono::milliseconds(1);
  std::optional<Duration> stop_after;
  net::FaultConfig faults;
  bool faults_enabled = false;
  std::string log_level = "info";
  bool help = false;
  std::string help_text;
};

// Fails (kUsage) with one line naming the bad option.
Expected<SimOptions> parse_options(int argc, const char* const* argv);

}  // namespace kdp::sim
