#include "tools/kdp-sim/options.h"

#include <cxxopts.hpp>

#include <cstdlib>

#include "kdp/net/udp.h"

#ifndef KDP_SIM_DEFAULT_CORE
#define KDP_SIM_DEFAULT_CORE "demo.core"
#endif

namespace kdp::sim {
namespace {

Expected<uint64_t> parse_number(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);  // decimal or 0x hex
  if (text.empty() || *end != '\0' || errno != 0 || text[0] == '-')
    return usage_error(what + ": '" + text + "' is not a number");
  return static_cast<uint64_t>(v);
}

Expected<uint32_t> parse_u32(const std::string& text, const std::string& what) {
  KDP_TRY(uint64_t v, parse_number(text, what));
  if (v > 0xffffffff) return usage_error(what + ": " + text + " does not fit in 32 bits");
  return static_cast<uint32_t>(v);
}

// "a.b.c.d:port", "host:port", "[v6]:port" or "host"; port 0 (ephemeral) is allowed.
Expected<Endpoint> parse_listen(const std::string& text) { return net::resolve(text, 41139, true); }

Expected<std::vector<uint64_t>> parse_script(const std::string& text) {
  std::vector<uint64_t> path;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    KDP_TRY(uint64_t address, parse_number(text.substr(start, comma - start), "--script"));
    path.push_back(address);
    start = comma + 1;
  }
  return path;
}

Duration milliseconds(double ms) { return Duration(static_cast<int64_t>(ms * 1e6)); }

cxxopts::Options make_parser() {
  cxxopts::Options o("kdp-sim", "A simulated xnu-1699 (Mac OS X 10.7) kernel debugger stub on UDP.");
  o.add_options()
      ("listen", "address:port to bind, [v6]:port for IPv6 (port 0: ephemeral)", cxxopts::value<std::string>()->default_value("127.0.0.1:41139"))
      ("core", "kernel snapshot (Mach-O core file)", cxxopts::value<std::string>()->default_value(KDP_SIM_DEFAULT_CORE))
      ("from-pcap", "serve the kernel state rebuilt from a KDP capture (pcap/pcapng) instead of --core", cxxopts::value<std::string>())
      ("kernel-version", "KERNELVERSION string", cxxopts::value<std::string>())
      ("cpu-type", "HOSTINFO cpu_type", cxxopts::value<std::string>()->default_value("0x01000007"))
      ("cpu-subtype", "HOSTINFO cpu_subtype", cxxopts::value<std::string>()->default_value("4"))
      ("cpus-mask", "HOSTINFO cpus_mask", cxxopts::value<std::string>()->default_value("0x3"))
      ("version", "KDP protocol version reported by VERSION", cxxopts::value<std::string>()->default_value("12"))
      ("no-bp-feature", "VERSION feature 0 (no kernel-managed breakpoints)")
      ("bad-access", "xnu-2422+ semantics: error 4 on short memory transfers")
      ("quirks", "behave as a third-party KDP server: lldbagility (LLDBagility's kdpserver.py: no MAXBYTES, "
                 "no sequence check, REATTACH ignored while connected)", cxxopts::value<std::string>())
      ("boot-time", "ms a HOSTREBOOT keeps the machine deaf before it waits for a debugger again",
       cxxopts::value<double>()->default_value("2000"))
      ("script", "RIP values the CPU walks after a resume: ADDR,ADDR,...", cxxopts::value<std::string>())
      ("step", "time per script step in ms", cxxopts::value<double>()->default_value("1"))
      ("stop-after", "stop (EXC_BREAKPOINT) this many ms after every resume", cxxopts::value<double>())
      ("loss", "probability a datagram is lost (faults apply to received and sent datagrams)", cxxopts::value<double>()->default_value("0"))
      ("dup", "probability a datagram is duplicated", cxxopts::value<double>()->default_value("0"))
      ("reorder", "probability a datagram is held back and overtaken", cxxopts::value<double>()->default_value("0"))
      ("delay", "one-way delay in ms", cxxopts::value<double>()->default_value("0"))
      ("jitter", "extra random delay in ms", cxxopts::value<double>()->default_value("0"))
      ("seed", "fault seed: received datagrams use SEED, sent ones SEED+1", cxxopts::value<uint64_t>()->default_value("1"))
      ("log-level", "trace, debug, info, warn, error, off", cxxopts::value<std::string>()->default_value("info"))
      ("h,help", "this help");
  return o;
}

Status fill_target(const cxxopts::ParseResult& r, stub::TargetConfig& t) {
  KDP_TRY(t.cpu_type, parse_u32(r["cpu-type"].as<std::string>(), "--cpu-type"));
  KDP_TRY(t.cpu_subtype, parse_u32(r["cpu-subtype"].as<std::string>(), "--cpu-subtype"));
  KDP_TRY(t.cpus_mask, parse_u32(r["cpus-mask"].as<std::string>(), "--cpus-mask"));
  KDP_TRY(t.version, parse_u32(r["version"].as<std::string>(), "--version"));
  if (r.count("no-bp-feature")) t.feature = 0;
  if (r.count("kernel-version")) t.kernel_version = r["kernel-version"].as<std::string>();
  t.bad_access_errors = r.count("bad-access") != 0;
  if (r.count("quirks")) {
    if (r["quirks"].as<std::string>() != "lldbagility")
      return usage_error("--quirks: unknown server '" + r["quirks"].as<std::string>() + "' (known: lldbagility)");
    t.quirks = stub::kLldbagilityQuirks;
  }
  const double boot = r["boot-time"].as<double>();
  if (!(boot >= 0) || boot > 3600e3) return usage_error("--boot-time must be between 0 and 3600000 ms");
  t.boot_time = milliseconds(boot);
  return {};
}

Status fill_faults(const cxxopts::ParseResult& r, SimOptions& o) {
  net::FaultConfig& f = o.faults;
  f.loss = r["loss"].as<double>();
  f.dup = r["dup"].as<double>();
  f.reorder = r["reorder"].as<double>();
  f.delay = milliseconds(r["delay"].as<double>());
  f.jitter = milliseconds(r["jitter"].as<double>());
  f.seed = r["seed"].as<uint64_t>();
  KDP_TRY_STATUS(net::validate(f));
  o.faults_enabled = f.loss > 0 || f.dup > 0 || f.reorder > 0 || f.delay.count() > 0 || f.jitter.count() > 0;
  return {};
}

Status fill_options(const cxxopts::ParseResult& r, SimOptions& o) {
  KDP_TRY(o.listen, parse_listen(r["listen"].as<std::string>()));
  o.core_path = r["core"].as<std::string>();
  if (r.count("from-pcap")) o.from_pcap = r["from-pcap"].as<std::string>();
  KDP_TRY_STATUS(fill_target(r, o.target));
  if (r.count("script")) {
    KDP_TRY(o.script, parse_script(r["script"].as<std::string>()));
  }
  double step = r["step"].as<double>();
  if (!(step > 0)) return usage_error("--step must be positive");
  o.step = milliseconds(step);
  if (r.count("stop-after")) {
    double ms = r["stop-after"].as<double>();
    if (!(ms >= 0)) return usage_error("--stop-after must not be negative");
    o.stop_after = milliseconds(ms);
  }
  KDP_TRY_STATUS(fill_faults(r, o));
  o.log_level = r["log-level"].as<std::string>();
  return {};
}

}  // namespace

Expected<SimOptions> parse_options(int argc, const char* const* argv) {
  SimOptions options;
  cxxopts::Options parser = make_parser();
  try {
    cxxopts::ParseResult result = parser.parse(argc, argv);
    if (result.count("help")) {
      options.help = true;
      options.help_text = parser.help();
      return options;
    }
    if (!result.unmatched().empty()) return usage_error("unexpected argument '" + result.unmatched().front() + "'");
    KDP_TRY_STATUS(fill_options(result, options));
  } catch (const cxxopts::exceptions::exception& e) {
    return usage_error(e.what());
  }
  return options;
}

}  // namespace kdp::sim
