#include "tests/cli/e2e_support.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace kdp::cli::test {

std::string kdpctl_path() {
#ifdef KDPCTL_BIN
  return KDPCTL_BIN;
#else
  return "";
#endif
}

std::string sim_path() {
#ifdef KDP_SIM_BIN
  return KDP_SIM_BIN;
#else
  return "";
#endif
}

std::string demo_kernel_path() {
#ifdef KDPCTL_DEMO_KERNEL
  return KDPCTL_DEMO_KERNEL;
#else
  return "";
#endif
}

std::string demo_core_path() {
#ifdef KDPCTL_DEMO_CORE
  return KDPCTL_DEMO_CORE;
#else
  return "";
#endif
}

bool binaries_available() {
  if (!kdpctl_path().empty() && !sim_path().empty()) return true;
  MESSAGE("skipped: kdpctl or kdp-sim is not part of this build");
  return false;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "kdpctl-cli-XXXXXX").string();
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

Sim::Sim(const std::vector<std::string>& flags, bool ipv6)
    : host_(ipv6 ? "[::1]" : "127.0.0.1"), process_([&] {
        std::vector<std::string> argv = {sim_path(), "--listen", host_ + ":0", "--log-level", "off"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        return argv;
      }()) {
  const std::string line = process_.first_line();
  const std::string prefix = "kdp-sim listening on " + host_ + ":";
  if (line.rfind(prefix, 0) == 0) port_ = line.substr(prefix.size());
}

Kdpctl::Kdpctl() : state_(dir_.file("state")) {}

std::vector<std::string> Kdpctl::argv(const std::vector<std::string>& args) const {
  // Direct mode: the agent has its own tests (agent_test.cpp).
  std::vector<std::string> argv = {kdpctl_path(), "--no-agent", "--state", state_};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

ProcessResult Kdpctl::run(const std::vector<std::string>& args) const { return run_process(argv(args)); }

std::string hex_of(uint64_t v) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(v));
  return buffer;
}

std::string padded_hex_of(uint64_t v) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%016llx", static_cast<unsigned long long>(v));
  return buffer;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); !from.empty() && at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace kdp::cli::test
