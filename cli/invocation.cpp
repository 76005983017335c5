#include "cli/invocation.h"

#include <cstdlib>
#include <ostream>

#include "cli/core/atomic_file.h"
#include "cli/interrupt.h"
#include "cli/session_provider.h"

namespace kdp::cli {

SessionProvider& Invocation::sessions() const {
  return context && context->sessions ? *context->sessions : udp_session_provider();
}

const std::atomic<bool>* Invocation::interrupt() const {
  return context && context->interrupt ? context->interrupt : interrupt_flag();
}

Status Invocation::write_output_file(const std::string& path, ByteView bytes) const {
  if (context && context->write_output_file) return context->write_output_file(path, bytes);
  return write_file(path, bytes, kOutputFileMode);
}

Expected<std::string> Invocation::state_path() const {
  if (global.state_path) return *global.state_path;
  return default_state_path(std::getenv("KDPCTL_STATE"), std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
}

Expected<State> Invocation::load_state() const {
  KDP_TRY(std::string path, state_path());
  return cli::load_state(path);
}

Status Invocation::update_state(const StateChange& change) const {
  KDP_TRY(std::string path, state_path());
  return cli::update_state(path, change);
}

Status Invocation::update_state_after_output(const StateChange& change) {
  Status saved = update_state(change);
  if (saved) return saved;
  return result_printed_state_not_saved(saved.error());
}

Error Invocation::result_printed_state_not_saved(const Error& saved) {
  json_printed = global.json;
  return Error(ErrorKind::kIo, "the result is above, but the state could not be saved: " + saved.message());
}

Expected<State> Invocation::load_state_or_set_aside() {
  KDP_TRY(std::string path, state_path());
  KDP_TRY(std::optional<SetAside> aside, set_aside_corrupt_state(path));
  if (aside) err << "kdpctl: " << aside->problem << "; moved it to " << aside->moved_to << " and starting over\n";
  return cli::load_state(path);
}

void Invocation::warn_once(const std::string& warning) const {
  if (warned.insert(warning).second) err << "kdpctl: " << warning << "\n";
}

Expected<std::string> Invocation::target(const State& state) const {
  if (global.target) return *global.target;
  if (state.target) return *state.target;
  return usage_error("no target: run `kdpctl reattach HOST[:PORT]` first, or pass --target HOST[:PORT]");
}

Status Invocation::expect_args(size_t min, size_t max, std::string_view what) const {
  if (args.size() >= min && args.size() <= max) return {};
  const auto count = [](size_t n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); };
  std::string expected = min == max ? count(min) : min == 0 ? "at most " + count(max)
                                                            : std::to_string(min) + " to " + count(max);
  if (max == 0) expected = "no arguments";
  if (!what.empty()) expected += " (" + std::string(what) + ")";
  return usage_error(word + ": expected " + expected + ", got " + std::to_string(args.size()));
}

}  // namespace kdp::cli
