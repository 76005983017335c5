#include "kgm/commands.h"

#include <array>
#include <charconv>

#include "kgm/commands_impl.h"

namespace kdp::kgm {
namespace {

constexpr std::array<CommandSpec, 18> kCommands = {{
    {"showversion", "showversion", "print the kernel's version string", ArgKind::kNone, cmd::showversion},
    {"showalltasks", "showalltasks", "list every task with its process", ArgKind::kNone, cmd::showalltasks},
    {"showtask", "showtask ADDR", "show one task (struct task *)", ArgKind::kAddress, cmd::showtask},
    {"showpid", "showpid PID", "show the task of the process with this pid", ArgKind::kNumber, cmd::showpid},
    {"showproc", "showproc ADDR", "show the task of a process (struct proc *)", ArgKind::kAddress, cmd::showproc},
    {"showprocinfo", "showprocinfo ADDR", "decode a process: pid, parent, credentials, flags, state",
     ArgKind::kAddress, cmd::showprocinfo},
    {"allproc", "allproc", "showprocinfo for every process on allproc", ArgKind::kNone, cmd::allproc},
    {"zombproc", "zombproc", "showprocinfo for every process on zombproc", ArgKind::kNone, cmd::zombproc},
    {"showproctree", "showproctree [PID]", "process tree from launchd, or the descendants of PID",
     ArgKind::kOptionalNumber, cmd::showproctree},
    {"showallkmods", "showallkmods", "list the loaded kexts (kmod_info)", ArgKind::kNone, cmd::showallkmods},
    {"showkmodaddr", "showkmodaddr ADDR", "name the kext holding an address", ArgKind::kAddress, cmd::showkmodaddr},
    {"showallstacks", "showallstacks", "every task and thread with its kernel stack", ArgKind::kNone,
     cmd::showallstacks},
    {"showcurrentthreads", "showcurrentthreads", "the thread running on each processor", ArgKind::kNone,
     cmd::showcurrentthreads},
    {"showact", "showact ADDR", "one thread's row (struct thread *)", ArgKind::kAddress, cmd::showact},
    {"showactstack", "showactstack ADDR", "one thread's row with its kernel stack", ArgKind::kAddress, cmd::showactstack},
    {"paniclog", "paniclog", "print the panic log buffer (debug_buf)", ArgKind::kNone, cmd::paniclog},
    {"showbootargs", "showbootargs", "print the boot arguments", ArgKind::kNone, cmd::showbootargs},
    {"zprint", "zprint", "list the kernel's zones", ArgKind::kNone, cmd::zprint},
}};

CommandResult usage_failure(const CommandSpec& c, std::string why) {
  CommandResult r;
  r.error = usage_error(std::string(c.name) + ": " + why + " (usage: " + std::string(c.usage) + ")");
  return r;
}

}  // namespace

std::span<const CommandSpec> kgmacros_commands() { return kCommands; }

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

Expected<uint64_t> parse_number(std::string_view text) {
  int base = 10;
  std::string_view digits = text;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    return usage_error("'" + std::string(text) + "' is not a number");
  return value;
}

CommandResult run_command(const CommandSpec& command, const KernelContext& ctx,
                          std::span<const std::string> args, const AddressResolver& resolve) {
  bool optional = command.arg == ArgKind::kOptionalNumber;
  size_t wanted = command.arg == ArgKind::kNone ? 0 : 1;
  if (args.size() > wanted) return usage_failure(command, "too many arguments");
  if (args.size() < wanted && !optional) return usage_failure(command, "missing argument");
  std::optional<uint64_t> arg;
  if (!args.empty()) {
    auto value = command.arg == ArgKind::kAddress && resolve ? resolve(args[0]) : parse_number(args[0]);
    if (!value) return usage_failure(command, value.error().message());
    arg = *value;
  }
  return command.run(ctx, arg);
}

}  // namespace kdp::kgm
