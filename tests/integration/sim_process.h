// Test helpers for talking to the real kdp-sim binary over loopback UDP: a child process that is
// always stopped at the end of the test (RAII) and a plain POSIX UDP socket with bounded waits.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/endpoint.h"

namespace kdp::testing {

class SimProcess {
 public:
  // Starts kdp-sim on 127.0.0.1 port 0 with the demo core plus `args`, and reads the port it
  // prints on its first line.
  explicit SimProcess(const std::vector<std::string>& args = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  Endpoint endpoint() const { return endpoint_; }
  // SIGTERM, then everything it printed on stdout (the listening line and the statistics).
  std::string stop();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  Endpoint endpoint_;
  std::string output_;
};

class UdpClient {
 public:
  UdpClient();  // bound to 127.0.0.1, ephemeral port
  ~UdpClient();
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;

  uint16_t port() const { return port_; }
  Endpoint endpoint() const { return Endpoint{0x7f000001, port_}; }
  void send(const Bytes& bytes, Endpoint to);
  // The next datagram within `timeout`, or nothing.
  std::optional<Datagram> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // True when nothing arrives within `window` (the way to assert a silent drop).
  bool silent(std::chrono::milliseconds window = std::chrono::milliseconds(200)) { return !receive(window); }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The value of `key=` in kdp-sim's statistics output, or -1.
long long stat_value(const std::string& output, const std::string& key);

}  // namespace kdp::testing
