// kdp-sim: a simulated Mac OS X 10.7 kernel waiting for a KDP debugger on UDP. All protocol
// decisions live in kdp::stub::StubEngine; this file wires options, the snapshot, the socket and
// signals together, and prints the statistics on exit.
#include <uv.h>

#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "tools/kdp-sim/snapshot.h"
#include "tools/kdp-sim/default_script.h"
#include "tools/kdp-sim/from_pcap.h"
#include "tools/kdp-sim/options.h"
#include "kdp/net/stub_server.h"

namespace {

using namespace kdp;

// Stops the loop on SIGINT/SIGTERM.
class SignalStop {
 public:
  SignalStop(net::EventLoop& loop, int signum) : handle_(new uv_signal_t) {
    uv_signal_init(loop.get(), handle_);
    handle_->data = &loop;
    uv_signal_start(handle_, [](uv_signal_t* h, int) { static_cast<net::EventLoop*>(h->data)->stop(); }, signum);
  }
  ~SignalStop() {
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
  }
  SignalStop(const SignalStop&) = delete;
  SignalStop& operator=(const SignalStop&) = delete;

 private:
  uv_signal_t* handle_;
};

void print_stats(const stub::StubStats& s) {
  std::printf(
      "kdp-sim stats: received=%llu requests=%llu replies=%llu replayed_replies=%llu dropped=%llu "
      "malformed=%llu unknown=%llu acks=%llu exceptions_sent=%llu exception_retransmits=%llu "
      "out_of_sequence=%llu dropped_not_connected=%llu dropped_while_running=%llu dropped_while_booting=%llu "
      "dropped_awaiting_ack=%llu ignored_replies=%llu already_connected=%llu ack_timeouts=%llu reboots=%llu\n",
      (unsigned long long)s.received, (unsigned long long)s.requests, (unsigned long long)s.replies,
      (unsigned long long)s.replayed_replies, (unsigned long long)s.dropped, (unsigned long long)s.malformed,
      (unsigned long long)s.unknown, (unsigned long long)s.acks, (unsigned long long)s.exceptions_sent,
      (unsigned long long)s.exception_retransmits, (unsigned long long)s.out_of_sequence,
      (unsigned long long)s.dropped_not_connected, (unsigned long long)s.dropped_while_running,
      (unsigned long long)s.dropped_while_booting,
      (unsigned long long)s.dropped_awaiting_ack, (unsigned long long)s.ignored_replies,
      (unsigned long long)s.already_connected, (unsigned long long)s.ack_timeouts, (unsigned long long)s.reboots);
}

void print_fault_stats(const char* direction, const net::FaultInjector* faults) {
  if (faults == nullptr) return;
  const net::FaultStats& f = faults->stats();
  std::printf("kdp-sim faults %s: datagrams=%llu lost=%llu duplicated=%llu reordered=%llu delivered=%llu\n",
              direction, (unsigned long long)f.datagrams, (unsigned long long)f.lost,
              (unsigned long long)f.duplicated, (unsigned long long)f.reordered, (unsigned long long)f.delivered);
}

Expected<stub::StubEngine> make_engine(const sim::SimOptions& options) {
  stub::TargetConfig target = options.target;
  stub::Snapshot snapshot;
  if (options.from_pcap) {
    KDP_TRY(sim::CaptureTarget from, sim::target_from_capture(*options.from_pcap, options.target));
    spdlog::info("{}", from.summary);
    snapshot = std::move(from.snapshot);
    target = std::move(from.config);
  } else {
    KDP_TRY(snapshot, stub::load_snapshot(options.core_path));
  }
  stub::ExecutionScript script;
  script.path = options.script ? *options.script : sim::default_script(snapshot.memory, snapshot.registers.rip());
  script.step = options.step;
  script.stop_after_resume = options.stop_after;
  return stub::StubEngine(target, std::move(snapshot.memory), snapshot.registers, std::move(script));
}

int run(const sim::SimOptions& options) {
  auto engine = make_engine(options);
  if (!engine) {
    spdlog::error("{}", engine.error().message());
    return 1;
  }
  net::EventLoop loop;
  std::optional<net::FaultConfig> faults;
  if (options.faults_enabled) faults = options.faults;
  net::StubServerLog log;
  if (spdlog::should_log(spdlog::level::debug)) log.debug = [](const std::string& line) { spdlog::debug("{}", line); };
  log.info = [](const std::string& line) { spdlog::info("{}", line); };
  log.warn = [](const std::string& line) { spdlog::warn("{}", line); };
  net::StubServer server(loop, *engine, faults, std::move(log));
  if (auto listening = server.listen(options.listen); !listening) {
    spdlog::error("{}", listening.error().message());
    return 1;
  }
  std::printf("kdp-sim listening on %s\n", to_string(server.local()).c_str());
  std::fflush(stdout);
  {
    SignalStop on_int(loop, SIGINT), on_term(loop, SIGTERM);
    loop.run();
  }
  print_stats(engine->stats());
  print_fault_stats("received", server.received_faults());
  print_fault_stats("sent", server.sent_faults());
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("kdp-sim");
  spdlog::set_default_logger(logger);
  auto options = sim::parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "kdp-sim: %s\n", options.error().message().c_str());
    return 2;
  }
  if (options->help) {
    std::printf("%s", options->help_text.c_str());
    return 0;
  }
  auto level = spdlog::level::from_str(options->log_level);
  if (level == spdlog::level::off && options->log_level != "off") {
    std::fprintf(stderr, "kdp-sim: --log-level: unknown level '%s'\n", options->log_level.c_str());
    return 2;
  }
  spdlog::set_level(level);
  return run(*options);
}
