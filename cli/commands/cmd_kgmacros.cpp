// The kgmacros (kgm/commands.h) as kdpctl commands: one generic adapter registers every entry of
// kgm's command table under the "kernel (kgmacros)" heading of `kdpctl --help` (gdb's `help kgm`)
// and runs it over the invocation's memory (the live kernel through the cache, --core, or the
// kernel file) with the symbols of --kernel. The command's records print as kgmacros text, or
// as one JSON document with --json; a walk that stopped early exits 1 after what it found.
#include <ostream>

#include "cli/command.h"
#include "cli/target_memory.h"
#include "kgm/commands.h"
#include "kgm/context.h"
#include "kgm/layouts_xnu1699.h"

namespace kdp::cli {
namespace {

// The `version` string in kernel memory, as kgmacros print it, so live and offline runs agree;
// a live kernel whose memory lacks it still has its KERNELVERSION reply.
Expected<std::string> kernel_version(const TargetView& target, const kgm::SymbolSource& symbols) {
  auto version = kgm::read_kernel_version(target.memory, symbols);
  if (version || !target.running || target.running->kernel_version.empty()) return version;
  if (version.error().kind() == ErrorKind::kTimeout) return version;
  return target.running->kernel_version;
}

Expected<kgm::CommandResult> run_over(const kgm::CommandSpec& command, const Invocation& inv, TargetView& target) {
  const macho::SymbolIndex* index = target.hooks.symbol_index();
  if (index == nullptr)
    return usage_error(std::string(command.name) + " needs the kernel's symbols: give --kernel PATH");
  kgm::SymbolIndexSource symbols(*index);
  KDP_TRY(std::string version, kernel_version(target, symbols));
  KDP_TRY(kgm::TypeModel types, kgm::builtin_types_for(version));
  const kgm::KernelContext context{target.memory, types, symbols, version};
  const kgm::AddressResolver resolve = [&target](std::string_view text) { return resolve_address(text, target.hooks); };
  return kgm::run_command(command, context, inv.args, resolve);
}

// A walk that stopped early, after printing what it found, exits 1 whatever it ran into (a cycle,
// a wild pointer, a missing object); timeouts and interrupts keep their own exit codes, and a
// command that printed nothing keeps its error's (a usage error, a symbol the kernel file lacks).
Error stopped_walk(Error error, bool printed) {
  if (!printed || error.kind() != ErrorKind::kNotFound || error.fault_address()) return error;
  return Error(ErrorKind::kMalformed, error.message());
}

Status run_kgmacro(const kgm::CommandSpec& command, Invocation& inv) {
  KDP_TRY(State state, inv.load_state());
  std::optional<kgm::CommandResult> result;
  const TargetWork work = [&](TargetView& target) -> Status {
    result.reset();
    KDP_TRY(result, run_over(command, inv, target));
    // A timeout may be worth another session (see open_session); anything else is the result.
    if (result->error && result->error->kind() == ErrorKind::kTimeout) return *result->error;
    return {};
  };
  Status opened = with_target_memory(inv, state, work);
  if (!result) return opened;
  if (inv.global.json) {
    inv.out << result->json << "\n";
    inv.json_error_printed = result->error.has_value();
  } else {
    inv.out << result->text;
  }
  if (result->error) return stopped_walk(std::move(*result->error), !result->text.empty());
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
