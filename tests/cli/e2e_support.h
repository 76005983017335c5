// End-to-end harness: a real kdp-sim on 127.0.0.1 (ephemeral port) and the real kdpctl binary
// with a private state file, as a user would run them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/cli/process.h"

namespace kdp::cli::test {

// Paths baked in by CMake; empty when the targets were not part of the build.
std::string kdpctl_path();
std::string sim_path();
// The Mach-O kernel file of kdp-sim's default snapshot (symbols for --kernel), or "".
std::string demo_kernel_path();
// kdp-sim's default snapshot (the core file the build writes), or "".
std::string demo_core_path();

// True when both binaries are part of the build; otherwise says so (doctest MESSAGE) for the caller
// to return early.
bool binaries_available();

bool contains(const std::string& text, const std::string& part);
// The whole file (tests read small files they wrote or kdpctl wrote).
std::string read_file(const std::string& path);

// A fresh directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Sim {
 public:
  // kdp-sim --listen HOST:0 --log-level off + `flags` (HOST 127.0.0.1, or [::1] when `ipv6`);
  // ready() tells whether it came up.
  explicit Sim(const std::vector<std::string>& flags = {}, bool ipv6 = false);
  bool ready() const { return !port_.empty(); }
  const std::string& port() const { return port_; }
  std::string target() const { return host_ + ":" + port_; }

 private:
  std::string host_;
  BackgroundProcess process_;
  std::string port_;
};

// kdpctl --state <private file> ARGS...
class Kdpctl {
 public:
  Kdpctl();
  ProcessResult run(const std::vector<std::string>& args) const;
  std::vector<std::string> argv(const std::vector<std::string>& args) const;
  const std::string& state_path() const { return state_; }
  std::string file(const std::string& name) const { return dir_.file(name); }
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  std::string state_;
};

// One kdpctl run as the lossless/lossy comparison sees it.
struct Entry {
  std::string command;
  int exit_code = 0;
  std::string out;
  friend bool operator==(const Entry&, const Entry&) = default;
};

// "0x1f" and the zero-padded "0x000000000000001f", as kdpctl's expected outputs spell addresses.
std::string hex_of(uint64_t v);
std::string padded_hex_of(uint64_t v);

// `text` with every occurrence of `from` replaced (ports differ between two sims).
std::string replace_all(std::string text, const std::string& from, const std::string& to);

}  // namespace kdp::cli::test
