#include "cli/invocation.h"

#include <cstdlib>

#include "cli/interrupt.h"
#include "cli/session_provider.h"

namespace kdp::cli {

SessionProvider& Invocation::sessions() const {
  return context && context->sessions ? *context->sessions : udp_session_provider();
}

const std::atomic<bool>* Invocation::interrupt() const {
  return context && context->interrupt ? context->interrupt : interrupt_flag();
}

Expected<std::string> Invocation::state_path() const {
  if (global.state_path) return *global.state_path;
  return default_state_path(std::getenv("KDPCTL_STATE"), std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
}

Expected<State> Invocation::load_state() const {
  KDP_TRY(std::string path, state_path());
  return cli::load_state(path);
}

Status Invocation::save_state(const State& state) const {
  KDP_TRY(std::string path, state_path());
  return cli::save_state(path, state);
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
