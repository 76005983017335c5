#include "tests/integration/sim_process.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace kdp::testing {
namespace {

// Appends whatever `fd` has within `timeout`; false on EOF or timeout.
bool read_some(int fd, std::string& out, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) return false;
  out.append(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

SimProcess::SimProcess(const std::vector<std::string>& args) {
  std::vector<std::string> argv_strings{KDP_SIM_PATH, "--listen", "127.0.0.1:0", "--core", KDP_DEMO_CORE,
                                        "--log-level", "warn"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];
  REQUIRE_MESSAGE(rc == 0, "cannot start " << KDP_SIM_PATH);
  while (output_.find('\n') == std::string::npos)
    REQUIRE_MESSAGE(read_some(stdout_fd_, output_, 10000), "kdp-sim printed no listening line: " << output_);
  const std::string prefix = "kdp-sim listening on 127.0.0.1:";
  REQUIRE(output_.rfind(prefix, 0) == 0);
  endpoint_ = Endpoint{0x7f000001, static_cast<uint16_t>(std::stoi(output_.substr(prefix.size())))};
}

std::string SimProcess::stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    while (read_some(stdout_fd_, output_, 10000)) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    pid_ = -1;
  }
  return output_;
}

SimProcess::~SimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

UdpClient::UdpClient() {
  fd_ = socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  socklen_t len = sizeof sa;
  REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  port_ = ntohs(sa.sin_port);
}

UdpClient::~UdpClient() { close(fd_); }

void UdpClient::send(const Bytes& bytes, Endpoint to) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(to.port);
  sa.sin_addr.s_addr = htonl(to.ipv4);
  REQUIRE(sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) ==
          static_cast<ssize_t>(bytes.size()));
}

std::optional<Datagram> UdpClient::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  uint8_t buf[65536];
  sockaddr_in from{};
  socklen_t len = sizeof from;
  ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
  if (n < 0) return std::nullopt;
  return Datagram{Endpoint{ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)}, Bytes(buf, buf + n)};
}

long long stat_value(const std::string& output, const std::string& key) {
  size_t at = output.find(" " + key + "=");
  if (at == std::string::npos) return -1;
  return std::stoll(output.substr(at + key.size() + 2));
}

}  // namespace kdp::testing
