// Fuzz target for kdp-sim's command line (tools/kdp-sim/options.cpp). The input is argv, words
// separated by NUL bytes. Properties: parse_options() returns options or a usage error, never
// crashes or throws; accepted fault probabilities lie in [0, 1] and a step is positive.
// --listen values are limited to 127.0.0.1[:PORT]: any other host would go to the resolver, and
// a fuzzer must not send DNS queries.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/argv_words.h"
#include "tools/kdp-sim/options.h"

namespace {

bool loopback_port(std::string_view value) {
  if (!value.starts_with("127.0.0.1")) return false;
  value.remove_prefix(9);
  if (value.empty()) return true;
  return value[0] == ':' && value.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

// Every --listen value (as "--listen=V" or "--listen V") must be loopback.
bool listens_elsewhere(const std::vector<std::string>& words) {
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.find("listen") == std::string::npos) continue;
    const size_t eq = w.find('=');
    if (eq != std::string::npos) {
      if (!loopback_port(std::string_view(w).substr(eq + 1))) return true;
    } else if (i + 1 >= words.size() || !loopback_port(words[i + 1])) {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> words = argv_words(input, "kdp-sim");
  if (listens_elsewhere(words)) return 0;
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  argv.push_back(nullptr);
  auto options = kdp::sim::parse_options(static_cast<int>(words.size()), argv.data());
  if (!options || options->help) return 0;
  const auto& f = options->faults;
  for (double p : {f.loss, f.dup, f.reorder})
    if (!(p >= 0 && p <= 1)) {
      std::fprintf(stderr, "fuzz_sim_options: accepted probability %g\n", p);
      std::abort();
    }
  if (options->step.count() <= 0) std::abort();
  return 0;
}
