// Child processes for the end-to-end tests: run a program to completion capturing stdout and
// stderr, or keep one running in the background (kdp-sim) and kill it when the test ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace kdp::cli::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
  bool timed_out = false;
  long peak_rss_kib = -1;  // the child's largest resident set (wait4's ru_maxrss), -1 if unknown
};

// Runs argv[0] (a path) with `env` added to the environment, closing stdin.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(120));

class BackgroundProcess {
 public:
  // stderr goes to a pipe read by finish() when `capture_stderr`, else to /dev/null (a chatty
  // child must not block on a pipe nobody drains).
  explicit BackgroundProcess(const std::vector<std::string>& argv, bool capture_stderr = false);
  ~BackgroundProcess();  // SIGTERM, then SIGKILL if it lingers; always reaped
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // The first line the child writes to stdout ("" if it exits or stays silent for `timeout`).
  std::string first_line(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Sends `signum` (SIGINT for the Ctrl-C test).
  void signal(int signum);
  // Reads the rest of the output and reaps the child (killing it after `timeout`).
  ProcessResult finish(std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string buffered_;
};

}  // namespace kdp::cli::test
