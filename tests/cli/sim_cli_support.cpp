#include "tests/cli/sim_cli_support.h"

#include <doctest/doctest.h>

#include <sstream>

#include "cli/dispatch.h"
#include "kdp/client/kdp_session.h"
#include "tools/kdp-sim/default_script.h"
#include "tools/kdp-sim/snapshot.h"

namespace kdp::cli::test {
namespace {

constexpr size_t kKeptLines = 200;

const stub::Snapshot& demo_snapshot() {
  static const stub::Snapshot snapshot = [] {
    auto loaded = stub::load_snapshot(KDPCTL_DEMO_CORE);
    REQUIRE_MESSAGE(loaded, "the demo snapshot " KDPCTL_DEMO_CORE " (kdp-sim's default --core)");
    return std::move(loaded).value();
  }();
  return snapshot;
}

}  // namespace

SimSessionProvider::SimSessionProvider(sim::SimWorld& world, uint64_t seed, uint16_t first_port)
    : world_(world), keys_(seed), next_port_(first_port) {
  world_.on_kernel_log([this](const std::string& line) { keep("kernel: " + line); });
}

SimSessionProvider::~SimSessionProvider() { world_.on_kernel_log(nullptr); }

Expected<std::unique_ptr<client::Session>> SimSessionProvider::open(const std::string& target, cli::AttachKind kind,
                                                                    client::SessionOptions options) {
  // A resumed conversation binds the port it left (Session::reattach does so over UDP).
  const uint16_t port = options.resume ? options.resume->local_port : next_port_++;
  std::function<void(std::string_view)> user_log = std::move(options.packet_log);
  options.packet_log = [this, port, user_log](std::string_view line) {
    keep(":" + std::to_string(port) + " " + std::string(line));
    if (user_log) user_log(line);
  };
  const std::string host = target.substr(0, target.rfind(':'));
  client::SessionSetup setup{host, sim::kKernel, std::move(options), static_cast<uint32_t>(keys_())};
  const auto mode = kind == cli::AttachKind::kReattach ? client::AttachMode::kReattach : client::AttachMode::kConnect;
  return client::open_session(world_.attach(port), std::move(setup), mode);
}

std::string SimSessionProvider::last_packets() const {
  std::string text;
  for (const std::string& line : lines_) text += line + "\n";
  return text;
}

void SimSessionProvider::keep(std::string line) {
  lines_.push_back(std::move(line));
  if (lines_.size() > kKeptLines) lines_.pop_front();
}

// Seed 52 of the lossy suite showed an instant restart letting the copies of the last session's
// requests that the network still holds (at most reorder_delay + jitter + delay) run in the next
// boot's session: hence the three seconds.
stub::StubEngine demo_kernel(const KernelAdjust& adjust) {
  const stub::Snapshot& snapshot = demo_snapshot();
  stub::ExecutionScript script;
  script.path = demo_path();
  stub::TargetConfig target;
  target.boot_time = std::chrono::seconds(3);
  if (adjust) adjust(target, script);
  return stub::StubEngine(std::move(target), snapshot.memory, snapshot.registers, std::move(script));
}

std::vector<uint64_t> demo_path() {
  const stub::Snapshot& snapshot = demo_snapshot();
  return sim::default_script(snapshot.memory, snapshot.registers.rip());
}

CliContext in_process_context(SessionProvider* sessions, const std::atomic<bool>* interrupt) {
  CliContext context;
  context.sessions = sessions;
  context.interrupt = interrupt;
  context.install_sigint = false;
  return context;
}

ProcessResult run_in_process(const CliContext& context, const std::string& state, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"kdpctl", "--state", state};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<const char*> pointers;
  for (const std::string& a : argv) pointers.push_back(a.c_str());
  std::ostringstream out, err;
  ProcessResult r;
  r.exit_code = cli::run_kdpctl(static_cast<int>(pointers.size()), pointers.data(), out, err, context);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace kdp::cli::test
