#include "tests/cli/pty_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

extern char** environ;

namespace kdp::cli::test {
namespace {

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// In the child: a new session whose controlling terminal is the pty's slave side.
[[noreturn]] void exec_on(const char* slave_name, std::vector<std::string> argv, std::vector<std::string> env) {
  ::setsid();
  const int slave = ::open(slave_name, O_RDWR);
  if (slave < 0) ::_exit(127);
  ::ioctl(slave, TIOCSCTTY, 0);
  for (int fd = 0; fd < 3; ++fd) ::dup2(slave, fd);
  if (slave > 2) ::close(slave);
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  auto args = c_strings(argv), envp = c_strings(env);
  ::execve(args[0], args.data(), envp.data());
  ::_exit(127);
}

int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

PtyProcess::PtyProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
  const char* name = ::ptsname(master_);
  if (!name) return;
  const std::string slave_name = name;
  struct winsize size {};
  size.ws_row = 24;
  size.ws_col = 80;
  ::ioctl(master_, TIOCSWINSZ, &size);
  const pid_t pid = ::fork();
  if (pid == 0) exec_on(slave_name.c_str(), argv, env);
  pid_ = pid;
}

PtyProcess::~PtyProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (master_ >= 0) ::close(master_);
}

void PtyProcess::type(const std::string& keys) {
  size_t at = 0;
  while (at < keys.size()) {
    const ssize_t n = ::write(master_, keys.data() + at, keys.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    at += static_cast<size_t>(n);
  }
}

bool PtyProcess::read_more(std::chrono::steady_clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  struct pollfd p {master_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return errno == EINTR;
  char buffer[4096];
  const ssize_t n = ::read(master_, buffer, sizeof buffer);
  if (n <= 0) return false;  // EIO: the child and every holder of the slave are gone
  shown_.append(buffer, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> PtyProcess::wait_for(const std::string& text, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    const size_t found = shown_.find(text, consumed_);
    if (found != std::string::npos) {
      std::string seen = shown_.substr(consumed_, found + text.size() - consumed_);
      consumed_ = found + text.size();
      return seen;
    }
    if (!read_more(until)) return std::nullopt;
  }
}

bool PtyProcess::wait_for_raw_input(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    struct termios t {};
    // On the master side, tcgetattr reads the slave's settings: those the child set.
    if (::tcgetattr(master_, &t) == 0 && (t.c_lflag & ICANON) == 0) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    read_more(std::chrono::steady_clock::now() + std::chrono::milliseconds(10));  // also keeps output flowing
  }
}

int PtyProcess::finish(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return -1;
  const auto until = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  for (;;) {
    // Drain the terminal: a child blocked writing to a full pty never exits.
    while (read_more(std::chrono::steady_clock::now() + std::chrono::milliseconds(10))) {
    }
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the slave closed; the exit is near
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
  }
  pid_ = -1;
  return decode(status);
}

}  // namespace kdp::cli::test
