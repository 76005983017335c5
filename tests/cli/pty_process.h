// A child on a pseudo-terminal, for the shell's transcript test: it sees a terminal on stdin,
// stdout and stderr (libedit edits, ^C is a SIGINT from the line discipline), the test types keys
// and waits for text to appear.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kdp::cli::test {

class PtyProcess {
 public:
  // argv[0] is a path; `env` is added to this process's environment. An 80x24 terminal.
  PtyProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env);
  ~PtyProcess();  // SIGKILL and reap when still running
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // Types `keys` (raw bytes: "\r" is Enter, "\t" Tab, "\x03" ^C, "\x04" ^D, "\x1b[A" Up).
  void type(const std::string& keys);
  // Everything the terminal showed since the last wait, up to and including the first `text`;
  // nullopt when the child ended or `deadline` passed first (a generous bound, not a timing).
  std::optional<std::string> wait_for(const std::string& text,
                                      std::chrono::milliseconds deadline = std::chrono::seconds(60));
  // Waits (bounded) until the child reads the terminal key by key (the line editor took it out of
  // canonical mode). ^D means end of input only then: typed while the line discipline is still
  // canonical, between the prompt and the editor's read, its EOF marker is lost.
  bool wait_for_raw_input(std::chrono::milliseconds deadline = std::chrono::seconds(60));
  // Waits (bounded) for the child to exit: its exit code, 128 + signal, or -1.
  int finish(std::chrono::milliseconds deadline = std::chrono::seconds(60));
  // All the terminal showed so far (for failure messages).
  const std::string& transcript() const { return shown_; }

 private:
  bool read_more(std::chrono::steady_clock::time_point until);

  pid_t pid_ = -1;
  int master_ = -1;
  std::string shown_;
  size_t consumed_ = 0;
};

}  // namespace kdp::cli::test
