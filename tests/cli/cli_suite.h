// The cli suite: every kdpctl command, in the order a user would run them, with checks that hold
// whatever carries the commands (real kdpctl processes against kdp-sim over loopback, or
// run_kdpctl in-process over the simulated network). Each run is recorded so that a lossless and
// a lossy transcript can be compared entry by entry. The kernel is kdp-sim's demo snapshot.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tests/cli/e2e_support.h"

namespace kdp::cli::test {

// How the suite reaches kdpctl: args (without --state) -> result.
using Runner = std::function<ProcessResult(const std::vector<std::string>& args)>;

struct SuiteTarget {
  std::string target;   // what reattach is given ("127.0.0.1:5000", "kernel")
  std::string host;     // what kdpctl prints as the host ("127.0.0.1", "kernel")
  std::string address;  // the resolved address it prints ("127.0.0.1:5000", "10.0.0.2:41139")
  std::string dir;      // a private directory for dump files
  std::vector<std::string> attach_flags;  // extra flags for the first reattach (--retries N)
};

class Suite {
 public:
  Suite(Runner runner, SuiteTarget target) : runner_(std::move(runner)), target_(std::move(target)) {}

  // Runs one command, records it, checks its exit code (showing stderr when it differs).
  std::string run(const std::vector<std::string>& args, int expected_exit = 0);
  const std::string& last_err() const { return last_err_; }
  const SuiteTarget& target() const { return target_; }
  std::string file(const std::string& name) const { return target_.dir + "/" + name; }
  const std::vector<Entry>& transcript() const { return transcript_; }

 private:
  // What legitimately differs between two runs: the target's address and the directory.
  std::string normalize(const std::string& text) const;

  Runner runner_;
  SuiteTarget target_;
  std::vector<Entry> transcript_;
  std::string last_err_;
};

// The whole suite; returns the transcript.
std::vector<Entry> run_cli_suite(Suite& suite);

// Lossless and lossy transcripts must match entry by entry (doctest CHECKs).
void compare_transcripts(const std::vector<Entry>& reference, const std::vector<Entry>& lossy);

}  // namespace kdp::cli::test
