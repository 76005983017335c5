// The kgmacros (kgm/commands.h) as kdpctl commands: one generic adapter registers every entry of
// kgm's command table under the "kernel (kgmacros)" heading of `kdpctl --help` (gdb's `help kgm`)
// and runs it over the invocation's memory (the live kernel through the cache, --core, or the
// kernel file) with the symbols of --kernel. The command's records print as kgmacros text, or
// as one JSON document with --json; a walk that stopped early exits 1 after what it found.
#include <algorithm>
#include <ostream>
#include <string_view>

#include "cli/command.h"
#include "cli/core/exit_codes.h"
#include "cli/kernel_context.h"
#include "kgm/commands.h"
#include "kgm/report.h"

namespace kdp::cli {
namespace {

Expected<kgm::CommandResult> run_over(const kgm::CommandSpec& command, const Invocation& inv, TargetView& target) {
  KDP_TRY(auto kernel, KernelModel::open(target, command.name, inv.global.types));
  const kgm::AddressResolver resolve = [&target](std::string_view text) { return resolve_address(text, target.hooks); };
  return kgm::run_command(command, kernel->context(), inv.args, resolve);
}

// A walk that stopped early, after printing what it found, exits 1 whatever it ran into (a cycle,
// a wild pointer, a missing object); timeouts and interrupts keep their own exit codes, and a
// command that printed nothing keeps its error's (a usage error, a symbol the kernel file lacks).
Error stopped_walk(Error error, bool printed) {
  if (!printed || error.kind() != ErrorKind::kNotFound || error.fault_address()) return error;
  return Error(ErrorKind::kMalformed, error.message());
}

// The text goes out as the walk makes it (through the agent too: each flush is a frame), so a
// long showallstacks shows its first tasks at once. A run repeated over another session (after a
// timeout) makes the same text again: only what goes beyond what was already printed is printed.
class StreamedText {
 public:
  explicit StreamedText(std::ostream& out) : out_(out) {}
  void restart() { made_ = 0; }
  void add(std::string_view piece) {
    const size_t end = made_ + piece.size();
    if (end > printed_) {
      out_ << piece.substr(printed_ > made_ ? printed_ - made_ : 0) << std::flush;
      printed_ = end;
    }
    made_ = end;
  }
  // What the result holds beyond what was printed as it was made.
  std::string_view rest(const std::string& text) const {
    return std::string_view(text).substr(std::min(printed_, text.size()));
  }

 private:
  std::ostream& out_;
  size_t made_ = 0;     // by the current run
  size_t printed_ = 0;  // by every run
};

Status run_kgmacro(const kgm::CommandSpec& command, Invocation& inv) {
  KDP_TRY(State state, inv.load_state());
  std::optional<kgm::CommandResult> result;
  StreamedText streamed(inv.out);
  std::optional<kgm::ScopedTextSink> sink;
  if (!inv.global.json) sink.emplace([&streamed](std::string_view piece) { streamed.add(piece); });
  const TargetWork work = [&](TargetView& target) -> Status {
    result.reset();
    streamed.restart();
    KDP_TRY(result, run_over(command, inv, target));
    // A timeout may be worth another session (see open_session); anything else is the result.
    if (result->error && result->error->kind() == ErrorKind::kTimeout) return *result->error;
    return {};
  };
  Status opened = with_target_memory(inv, state, work);
  if (!result) return opened;
  std::optional<Error> stopped;
  if (result->error) stopped = stopped_walk(*result->error, !result->text.empty());
  if (inv.global.json) {
    // The document's "error" is the one error shape, with the exit code this run ends with.
    inv.out << (stopped ? result->json_with_exit_code(exit_code_for(*stopped)) : result->json) << "\n";
    inv.json_printed = stopped.has_value();
  } else {
    inv.out << streamed.rest(result->text);
  }
  if (stopped) return std::move(*stopped);
  return {};
}

const std::vector<CommandSpec>& kgmacro_specs() {
  static const std::vector<CommandSpec> specs = [] {
    std::vector<CommandSpec> out;
    for (const kgm::CommandSpec& c : kgm::kgmacros_commands()) {
      const kgm::CommandSpec* command = &c;
      out.push_back(CommandSpec{
          .name = c.name,
          .usage = c.usage,
          .summary = c.summary,
          .run = [command](Invocation& inv) { return run_kgmacro(*command, inv); },
          .group = kgm::kCommandGroupTitle,
      });
    }
    return out;
  }();
  return specs;
}

}  // namespace

std::vector<const CommandSpec*> kgmacro_commands() {
  std::vector<const CommandSpec*> out;
  for (const CommandSpec& spec : kgmacro_specs()) out.push_back(&spec);
  return out;
}

}  // namespace kdp::cli
