#include "cli/global_options.h"

#include <cxxopts.hpp>

#include <cmath>

namespace kdp::cli {

void add_global_options(cxxopts::Options& options) {
  options.add_options("global")
      ("target", "the kernel: HOST, HOST:PORT, IPv6 [ADDR]:PORT or ADDR (default port 41139); overrides the remembered one",
       cxxopts::value<std::string>(), "HOST[:PORT]")
      ("state", "state file (default $KDPCTL_STATE, else $XDG_STATE_HOME/kdpctl/state, "
                "else ~/.local/state/kdpctl/state)", cxxopts::value<std::string>(), "FILE")
      ("json", "print results as one JSON document")
      ("v,verbose", "print every KDP packet to stderr, and at the end how many KDP requests the command sent")
      ("timeout", "seconds to wait for each reply; for continue/step, for the stop (continue waits "
                  "forever by default)", cxxopts::value<double>(), "SECONDS")
      ("retries", "transmissions per request before giving up", cxxopts::value<int>(), "N")
      ("kernel", "the target's kernel file (mach_kernel) for symbols; with no target and no --core, also "
                 "the memory read (as `gdb mach_kernel` before attaching)", cxxopts::value<std::string>(), "PATH")
      ("force", "use the --kernel file even when its UUID differs from the running kernel's")
      ("core", "read a kernel core file (Mach-O MH_CORE) offline instead of a target", cxxopts::value<std::string>(), "FILE")
      ("syntax", "x/i disassembly syntax: att (default, as gdb) or intel", cxxopts::value<std::string>(), "att|intel")
      ("no-agent", "run the command in this process, not in the background agent that holds the "
                   "session (also when CI=true)")
      ("idle", "seconds a new agent waits for the next command before it exits (default 1800)",
       cxxopts::value<double>(), "SECONDS")
      ("record", "write every KDP datagram of this command to a pcap file", cxxopts::value<std::string>(), "FILE")
      ("replay", "answer from a capture instead of a target (memory, registers, version, hostinfo)",
       cxxopts::value<std::string>(), "FILE")
      ("types", "kernel types (and, without --kernel, symbols) from a Volatility 3 ISF JSON file instead of "
                "the built-in xnu-1699.24.23 layouts", cxxopts::value<std::string>(), "FILE.json")
      ("dsym", "the kernel's dSYM (a .dSYM bundle or its DWARF file) for types, source lines and bt's "
               "arguments; default: KERNEL.dSYM beside --kernel. --types wins for types",
       cxxopts::value<std::string>(), "PATH")
      ("source-dir", "a directory `list` searches for source files (repeatable, like gdb's `dir`)",
       cxxopts::value<std::vector<std::string>>(), "DIR")
      ("kext", "a kext of yours for symbols, source lines and breakpoints: its .kext bundle or Mach-O, loaded "
               "where the kmod list says (PATH@ADDR: at ADDR); repeatable; its .dSYM is found beside it",
       cxxopts::value<std::vector<std::string>>(), "PATH[@ADDR]")
      ("kext-dsym", "the dSYM of the one --kext (default: PATH.dSYM beside it)", cxxopts::value<std::string>(), "PATH")
      ("h,help", "show help");
}

Expected<GlobalOptions> read_global_options(const cxxopts::ParseResult& parsed) {
  GlobalOptions g;
  if (parsed.count("target")) g.target = parsed["target"].as<std::string>();
  if (parsed.count("state")) g.state_path = parsed["state"].as<std::string>();
  g.json = parsed.count("json") != 0;
  g.verbose = parsed.count("verbose") != 0;
  if (parsed.count("timeout")) {
    const double seconds = parsed["timeout"].as<double>();
    if (!(seconds > 0) || seconds > 1e7) return usage_error("--timeout must be a positive number of seconds");
    g.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::ceil(seconds * 1000)));
  }
  if (parsed.count("retries")) {
    g.retries = parsed["retries"].as<int>();
    if (*g.retries < 1 || *g.retries > 1000) return usage_error("--retries must be between 1 and 1000");
  }
  if (parsed.count("kernel")) g.kernel = parsed["kernel"].as<std::string>();
  g.force = parsed.count("force") != 0;
  if (parsed.count("core")) g.core = parsed["core"].as<std::string>();
  if (parsed.count("syntax")) {
    g.syntax = parsed["syntax"].as<std::string>();
    if (*g.syntax != "att" && *g.syntax != "intel") return usage_error("--syntax must be att or intel");
  }
  g.no_agent = parsed.count("no-agent") != 0;
  if (parsed.count("idle")) {
    g.idle_seconds = parsed["idle"].as<double>();
    if (!(*g.idle_seconds > 0) || *g.idle_seconds > 1e7) return usage_error("--idle must be a positive number of seconds");
  }
  if (parsed.count("record")) g.record = parsed["record"].as<std::string>();
  if (parsed.count("replay")) g.replay = parsed["replay"].as<std::string>();
  if (parsed.count("types")) g.types = parsed["types"].as<std::string>();
  if (parsed.count("dsym")) g.dsym = parsed["dsym"].as<std::string>();
  if (parsed.count("source-dir")) g.source_dirs = parsed["source-dir"].as<std::vector<std::string>>();
  if (parsed.count("kext")) g.kexts = parsed["kext"].as<std::vector<std::string>>();
  if (parsed.count("kext-dsym")) g.kext_dsym = parsed["kext-dsym"].as<std::string>();
  if (g.kext_dsym && g.kexts.empty()) return usage_error("--kext-dsym goes with --kext PATH");
  if (g.record && g.replay) return usage_error("--record and --replay cannot be used together");
  return g;
}

std::string exit_code_help() {
  return "Exit codes:\n"
         "  0    success\n"
         "  1    the target refused or failed (protocol error, unreadable memory, file error)\n"
         "  2    usage error (bad arguments, unknown command or symbol, no target, malformed state file)\n"
         "  3    timeout (the target did not answer, or no stop arrived within --timeout)\n"
         "  130  interrupted (Ctrl-C)\n";
}

}  // namespace kdp::cli
