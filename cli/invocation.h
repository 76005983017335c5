// Everything a subcommand gets: the global options, its own arguments and flags, where to print,
// and helpers for the state file. Subcommands print to `out` only; errors travel back as values and
// the dispatcher prints them (one "kdpctl: ..." line on stderr).
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/error.h"
#include "cli/core/state.h"

namespace cxxopts {
class ParseResult;
}

namespace kdp::pcap {
class CaptureWriter;
}

namespace kdp::cli {

struct GlobalOptions {
  std::optional<std::string> target;      // --target HOST[:PORT]
  std::optional<std::string> state_path;  // --state FILE
  bool json = false;                      // --json
  bool verbose = false;                   // -v: every packet on stderr
  std::optional<std::chrono::milliseconds> timeout;  // --timeout SECONDS
  std::optional<int> retries;             // --retries N
  std::optional<std::string> kernel;      // --kernel PATH
  bool force = false;                      // --force: use --kernel despite a UUID mismatch
  std::optional<std::string> record;      // --record FILE.pcap: capture every datagram
  std::optional<std::string> replay;      // --replay FILE.pcap: answer from a capture, no network
};

struct Invocation {
  GlobalOptions global;
  std::string word;               // the command as typed ("x/4gx")
  std::vector<std::string> args;  // positional arguments after it
  const cxxopts::ParseResult* flags = nullptr;  // the command's own options
  std::ostream& out;
  std::ostream& err;
  // --record's capture, opened by the first session and shared by the rest (cli/pcap/record_hook).
  mutable std::shared_ptr<pcap::CaptureWriter> recorder{};

  // The state file in use (--state, $KDPCTL_STATE, XDG, ~/.local/state).
  Expected<std::string> state_path() const;
  Expected<State> load_state() const;
  Status save_state(const State& state) const;

  // --target, else the remembered target; a usage error naming both when neither exists.
  Expected<std::string> target(const State& state) const;

  // Argument count check: "x: expected 1 argument (ADDR), got 3".
  Status expect_args(size_t min, size_t max, std::string_view what) const;
};

}  // namespace kdp::cli
