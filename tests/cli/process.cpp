#include "tests/cli/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

extern char** environ;

namespace kdp::cli::test {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    if (::pipe(fds) == 0) {
      read = fds[0], write = fds[1];
      ::fcntl(read, F_SETFD, FD_CLOEXEC);
    }
  }
};

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env, int out_fd,
            int err_fd) {
  std::vector<std::string> env(extra_env);
  for (char** e = environ; *e; ++e) env.push_back(*e);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  pid_t pid = -1;
  auto args = c_strings(argv), envp = c_strings(env);
  if (posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Drains both pipes until both reach EOF or the deadline passes.
bool drain(int out_fd, int err_fd, std::string& out, std::string& err, Clock::time_point deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open = 2;
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    if (::poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  return true;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          std::chrono::milliseconds timeout) {
  ProcessResult result;
  Pipe out, err;
  const pid_t pid = spawn(argv, env, out.write, err.write);
  ::close(out.write);
  ::close(err.write);
  if (pid > 0) {
    result.timed_out = !drain(out.read, err.read, result.out, result.err, Clock::now() + timeout);
    if (result.timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    struct rusage usage {};
    if (::wait4(pid, &status, 0, &usage) == pid) result.peak_rss_kib = usage.ru_maxrss;
    result.exit_code = decode_status(status);
  }
  ::close(out.read);
  ::close(err.read);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, bool capture_stderr) {
  Pipe out, err;
  const int err_target = capture_stderr ? err.write : ::open("/dev/null", O_WRONLY);
  pid_ = spawn(argv, {}, out.write, err_target);
  ::close(out.write);
  ::close(err.write);
  if (!capture_stderr) {
    ::close(err_target);
    ::close(err.read);
  } else {
    err_fd_ = err.read;
  }
  out_fd_ = out.read;
}

ProcessResult BackgroundProcess::finish(std::chrono::milliseconds timeout) {
  ProcessResult result;
  result.out = buffered_;
  int err_fd = err_fd_ >= 0 ? err_fd_ : ::open("/dev/null", O_RDONLY);
  result.timed_out = !drain(out_fd_, err_fd, result.out, result.err, Clock::now() + timeout);
  if (err_fd_ < 0) ::close(err_fd);
  if (result.timed_out) ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  result.exit_code = decode_status(status);
  pid_ = -1;
  return result;
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

std::string BackgroundProcess::first_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (buffered_.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd fd{out_fd_, POLLIN, 0};
    if (left <= 0 || ::poll(&fd, 1, static_cast<int>(left)) <= 0) return "";
    char buf[256];
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) return "";
    buffered_.append(buf, static_cast<size_t>(n));
  }
  return buffered_.substr(0, buffered_.find('\n'));
}

void BackgroundProcess::signal(int signum) {
  if (pid_ > 0) ::kill(pid_, signum);
}

}  // namespace kdp::cli::test
