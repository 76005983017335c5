// Fuzz target for kdpctl's command line as a whole: global options, every subcommand's argument
// parsing (x/FMT, dump's sizes, decode's hex, info topics, negative numbers, --timeout ...) through
// run_kdpctl itself. The input is argv, words separated by NUL bytes. Properties:
//   * never a crash, hang or abort; every run ends with exit code 0, 1, 2 or 3;
//   * no message on stderr carries a raw control byte or runs past a few KiB.
// Sessions are disabled (disable_sessions_for_fuzzing): a command that would attach fails at once,
// so no datagram or name lookup leaves the process. The state file is a private temporary file, and
// inputs naming other files (--state, -o, --kernel) are skipped: the fuzzer must not write or read
// arbitrary paths.
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/argv_words.h"
#include "cli/dispatch.h"
#include "cli/session_open.h"

namespace {

// Words that could name a file of the fuzzing machine.
bool names_a_file(const std::string& word) {
  if (word.find("state") != std::string::npos || word.find("kernel") != std::string::npos ||
      word.find("output") != std::string::npos)
    return true;
  return word.size() >= 2 && word[0] == '-' && word[1] != '-' && word.find('o') != std::string::npos;
}

void setup_once() {
  static bool done = false;
  if (done) return;
  done = true;
  kdp::cli::disable_sessions_for_fuzzing();
  char dir[] = "/tmp/kdpctl-fuzz-cli-XXXXXX";
  if (::mkdtemp(dir) == nullptr) std::abort();
  ::setenv("KDPCTL_STATE", (std::string(dir) + "/state").c_str(), 1);
  ::unsetenv("XDG_STATE_HOME");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  setup_once();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> words = argv_words(input, "kdpctl");
  for (const std::string& w : words)
    if (names_a_file(w)) return 0;
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  const int code = kdp::cli::run_kdpctl(static_cast<int>(words.size()), argv.data(), out, err);
  if (code < 0 || code > 3) {
    std::fprintf(stderr, "fuzz_cli_args: exit code %d\n", code);
    std::abort();
  }
  const std::string messages = err.str();
  if (messages.size() > 8192) std::abort();
  for (char c : messages)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) {
      std::fprintf(stderr, "fuzz_cli_args: raw control byte 0x%02x on stderr\n", static_cast<unsigned char>(c));
      std::abort();
    }
  return 0;
}
