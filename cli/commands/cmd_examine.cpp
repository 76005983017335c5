// kdpctl x/FMT [ADDR]: gdb's examine command over the invocation's memory (live, --core, or the
// kernel file).
#include <ostream>

#include "cli/command.h"
#include "cli/core/examine.h"
#include "kdp/base/json.h"
#include "cli/core/number.h"
#include "cli/kernel_hooks.h"
#include "cli/target_memory.h"

namespace kdp::cli {
namespace {

void print_json(Invocation& inv, const ExamineFormat& f, uint64_t address, const ExamineOutput& out) {
  JsonWriter j;
  j.begin_object().hex_field("address", address).field("count", f.count);
  j.field("format", f.format ? std::string(1, f.format) : std::string("natural"));
  j.field("unit_bytes", f.unit_bytes()).key("items").begin_array();
  for (const ExamineItem& item : out.items) {
    j.begin_object().hex_field("address", item.address).field("bytes", to_hex_string(item.bytes));
    j.field("text", item.text).end_object();
  }
  j.end_array().hex_field("next_address", out.next_address);
  inv.out << j.end_object().str() << "\n";
}

Status run_examine(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 64, "ADDR"));
  // gdb reads the rest of the line as one expression: `x/2gx 0x10 + 8`.
  std::string expression;
  for (const std::string& word : inv.args) expression += (expression.empty() ? "" : " ") + word;
  KDP_TRY(State state, inv.load_state());
  const bool has_address = !inv.args.empty();
  KDP_TRY(ExamineFormat format, parse_examine_format(std::string_view(inv.word).substr(1), state.examine, has_address));
  if (!has_address && !state.next_address) return usage_error("Argument required (starting display address).");
  uint64_t address = state.next_address.value_or(0);
  ExamineOutput out;
  const TargetWork work = [&](TargetView& target) -> Status {
    if (has_address) {
      KDP_TRY(address, resolve_address(expression, target.hooks));
    }
    out = examine(format, address, target.memory, {target.hooks.symbols(), target.hooks.disassembler()});
    // Unmapped memory and other read errors are results (the lines before them stay); a timeout
    // may be worth another session (see open_session).
    if (out.error && out.error->kind() == ErrorKind::kTimeout) return *out.error;
    return {};
  };
  Status opened = with_target_memory(inv, state, work);
  if (!opened && !out.error) return opened;  // nothing was examined (no target, bad ADDR, ...)
  if (inv.global.json && !out.error) print_json(inv, format, address, out);  // else the error's document
  if (!inv.global.json)
    for (const std::string& line : out.lines) inv.out << line << "\n";
  // gdb keeps the next address even after a failed examine, but the format only after success.
  // Saved after printing: memory already read is shown even when the state cannot be written.
  Status saved = inv.update_state_after_output([&](State& now) -> Status {
    now.next_address = out.next_address;
    if (!out.error) now.examine = remember_examine(format);
    return {};
  });
  if (out.error) return std::move(*out.error);
  return saved;
}

const CommandSpec kExamine{
    .name = "x",
    .usage = "x/FMT [ADDR]",
    .summary = "examine memory like gdb: x/8gx, x/16bx, x/4wx, x/s, x/i, x/a, x/c ...",
    .details = "FMT is [COUNT][FORMAT][SIZE] in any order of letters. FORMAT: x hex, d decimal, u unsigned,\n"
               "o octal, t binary, z zero-padded hex, a address, c char, s string, i instruction. SIZE: b h w g.\n"
               "Defaults and memory across runs follow gdb: a bare `kdpctl x` continues where the last one\n"
               "stopped with the last format. ADDR is an expression as print takes it, its value the address:\n"
               "0x10+8, $sp, kext_alloc (a function: its code), kernproc (a pointer: where it points),\n"
               "&kext_alloc_base (the variable itself).\n"
               "x/i prints AT&T syntax like gdb; --syntax intel or `kdpctl set disassembly-flavor intel` for Intel.",
    .run = run_examine,
    .takes_format = true,
};

}  // namespace

const CommandSpec& examine_command() { return kExamine; }
}  // namespace kdp::cli
