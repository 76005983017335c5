// kdp-sim as a child process on an ephemeral 127.0.0.1 port, for the loopback tests and the read
// benchmark (POSIX: fork/exec; the first line kdp-sim prints names its port).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "kdp/base/error.h"

namespace kdp::sim {

class SimProcess {
 public:
  static Expected<std::unique_ptr<SimProcess>> start(const std::string& binary, std::vector<std::string> extra,
                                                     const std::string& listen = "127.0.0.1:0") {
    int out[2];
    if (pipe(out) != 0) return Error(ErrorKind::kIo, "pipe failed");
    std::vector<std::string> args = {binary, "--listen", listen, "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_t pid = fork();
    if (pid < 0) return Error(ErrorKind::kIo, "fork failed");
    if (pid == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    std::unique_ptr<SimProcess> process(new SimProcess(pid));
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    std::smatch m;
    if (!std::regex_match(line, m, std::regex("kdp-sim listening on (127\\.0\\.0\\.1|\\[::1\\]):([0-9]+)")))
      return Error(ErrorKind::kIo, binary + " did not start: '" + line + "'");
    process->host_ = m[1];
    process->port_ = static_cast<uint16_t>(std::stoi(m[2]));
    return process;
  }

  ~SimProcess() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  std::string target() const { return host_ + ":" + std::to_string(port_); }

 private:
  explicit SimProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::string host_;
  uint16_t port_ = 0;
};

}  // namespace kdp::sim
