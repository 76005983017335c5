// Everything a subcommand gets: the global options, its own arguments and flags, where to print,
// and helpers for the state file. Subcommands print to `out` only; errors travel back as values and
// the dispatcher prints them (one "kdpctl: ..." line on stderr).
#pragma once

#include <atomic>
#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <set>
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

class SessionProvider;
struct CliContext;

struct GlobalOptions {
  std::optional<std::string> target;      // --target HOST[:PORT]
  std::optional<std::string> state_path;  // --state FILE
  bool json = false;                      // --json
  bool verbose = false;                   // -v: every packet on stderr
  std::optional<std::chrono::milliseconds> timeout;  // --timeout SECONDS
  std::optional<int> retries;             // --retries N
  std::optional<std::string> kernel;      // --kernel PATH
  bool force = false;                      // --force: use --kernel despite a UUID mismatch
  std::optional<std::string> core;        // --core FILE: read a kernel core offline, no target
  std::optional<std::string> syntax;      // --syntax att|intel: x/i's disassembly flavor
  bool no_agent = false;                   // --no-agent: run here, not in the session agent
  std::optional<double> idle_seconds;      // --idle: a new agent's idle timeout
  std::optional<std::string> record;      // --record FILE.pcap: capture every datagram
  std::optional<std::string> replay;      // --replay FILE.pcap: answer from a capture, no network
  std::optional<std::string> types;       // --types FILE.json: kernel types (and symbols) from a Volatility ISF file
  std::optional<std::string> dsym;        // --dsym PATH: the kernel's dSYM (else KERNEL.dSYM beside --kernel)
  std::vector<std::string> source_dirs;   // --source-dir DIR (repeatable): where `list` looks for sources
  std::vector<std::string> kexts;         // --kext PATH[@ADDR] (repeatable): the user's kexts
  std::optional<std::string> kext_dsym;   // --kext-dsym PATH: the one --kext's dSYM
};

struct Invocation {
  GlobalOptions global;
  std::string word;               // the command as typed ("x/4gx")
  std::vector<std::string> args;  // positional arguments after it
  const cxxopts::ParseResult* flags = nullptr;  // the command's own options
  std::ostream& out;
  std::ostream& err;
  const CliContext* context = nullptr;  // how sessions are opened (session_provider.h)

  SessionProvider& sessions() const;
  // Set when the user (or the agent's client) asks to stop: waits end with kInterrupted.
  const std::atomic<bool>* interrupt() const;
  // A file the user named for output (dump -o): written here, or by the agent's client, created
  // kOutputFileMode (kernel memory is for our eyes only).
  Status write_output_file(const std::string& path, ByteView bytes) const;

  // Set when stdout already holds this run's JSON document (a result, or the kgmacros' records
  // with where they stopped), so an error goes to stderr only.
  bool json_printed = false;
  mutable std::set<std::string> warned{};
  // --record's capture, opened by the first session and shared by the rest (cli/pcap/record_hook).
  mutable std::shared_ptr<pcap::CaptureWriter> recorder{};

  // The state file in use (--state, $KDPCTL_STATE, XDG, ~/.local/state).
  Expected<std::string> state_path() const;
  Expected<State> load_state() const;
  // Read-modify-write under the state lock; see cli::update_state.
  Status update_state(const StateChange& change) const;
  // For commands whose result is already printed: a state that cannot be saved must not throw
  // that output away, so the failure becomes one more error after it (exit 1, and no second JSON
  // document on stdout).
  // The error of a command whose result is printed but whose state change `saved` failed.
  Error result_printed_state_not_saved(const Error& saved);
  Status update_state_after_output(const StateChange& change);
  // `reattach` starts over from a corrupt state file instead of refusing: it is moved aside
  // (said on `err`) and an empty state is loaded.
  Expected<State> load_state_or_set_aside();

  // --target, else the remembered target; a usage error naming both when neither exists.
  Expected<std::string> target(const State& state) const;

  // "kdpctl: WARNING" on `err`, once per run even when a session starts over.
  void warn_once(const std::string& warning) const;

  // Argument count check: "x: expected 1 argument (ADDR), got 3".
  Status expect_args(size_t min, size_t max, std::string_view what) const;
};

}  // namespace kdp::cli
