// The kgmacros command table: what `kdpctl showalltasks`, `kdpctl showproctree 1` ... run. The CLI
// lists these under a "kernel (kgmacros)" heading, parses nothing itself, and prints the result:
//   result.text to stdout (kgmacros' bytes) or result.json with --json; then, when result.error is
//   set, its message as the one line saying where and why the command stopped, and exit 1.
//
//   const CommandSpec* c = find_command("showtask");
//   CommandResult r = run_command(*c, ctx, {"0xffffff8007d12000"}, resolver);
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kgm/context.h"
#include "kgm/report.h"

namespace kdp::kgm {

inline constexpr std::string_view kCommandGroupTitle = "kernel (kgmacros)";

enum class ArgKind {
  kNone,         // no argument
  kAddress,      // ADDR: a kernel address (the CLI may resolve expressions: `showtask kernel_task`)
  kNumber,       // PID: a decimal (or 0x-hex) number
  kOptionalNumber,
};

struct CommandSpec {
  std::string_view name;
  std::string_view usage;    // "showtask ADDR"
  std::string_view summary;  // one line
  ArgKind arg = ArgKind::kNone;
  CommandResult (*run)(const KernelContext& ctx, std::optional<uint64_t> arg) = nullptr;
};

std::span<const CommandSpec> kgmacros_commands();
const CommandSpec* find_command(std::string_view name);

// Turns an ADDR argument into an address: the CLI passes its expression evaluator
// (kgm::evaluate_address: `kernel_task` is the task the variable points at, as kgmacros' showtask
// takes it); without one, ADDR must be a number.
using AddressResolver = std::function<Expected<uint64_t>(std::string_view text)>;

// Parses `args` by the command's ArgKind and runs it. A usage problem (missing, extra or
// malformed argument) is a kUsage error in the result, with no text.
CommandResult run_command(const CommandSpec& command, const KernelContext& ctx,
                          std::span<const std::string> args, const AddressResolver& resolve = {});

// "0x1f", "31": unsigned 64-bit numbers as gdb accepts them (kUsage error otherwise).
Expected<uint64_t> parse_number(std::string_view text);

}  // namespace kdp::kgm
