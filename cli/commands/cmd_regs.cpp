// kdpctl regs: the stopped CPU's registers (READREGS flavor x86_THREAD_STATE64, or a core's
// first thread with --core) like gdb's `info registers`.
#include <algorithm>
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/core/registers_format.h"
#include "cli/target_memory.h"

namespace kdp::cli {
namespace {

constexpr size_t kNameColumn = 15;  // gdb pads the register's name to column 15

// gdb's names for the registers: $pc, $sp and $fp are rip, rsp and rbp; rflags shows as eflags.
std::string_view canonical_register(std::string_view name) {
  if (name.starts_with("$")) name.remove_prefix(1);
  if (name == "pc") return "rip";
  if (name == "sp") return "rsp";
  if (name == "fp") return "rbp";
  if (name == "rflags") return "eflags";
  return name;
}

// `info registers rip rsp`: the lines of the named registers, in the order asked, each under the
// name the user gave (gdb prints `pc` for `info registers pc`).
Expected<std::vector<std::string>> selected_lines(const std::vector<std::string>& all, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& asked : names) {
    const std::string_view wanted = canonical_register(asked);
    const std::string shown(asked.starts_with("$") ? asked.substr(1) : asked);
    auto line = std::find_if(all.begin(), all.end(), [&](const std::string& l) {
      return l.size() > kNameColumn && l.substr(0, l.find(' ')) == wanted;
    });
    if (line == all.end()) return usage_error("Invalid register `" + shown + "'");
    out.push_back(shown + std::string(kNameColumn > shown.size() ? kNameColumn - shown.size() : 1, ' ') +
                  line->substr(kNameColumn));
  }
  return out;
}

std::string_view json_name(std::string_view asked) {
  std::string_view name = canonical_register(asked);
  return name == "eflags" ? "rflags" : name;
}

Status run_regs(Invocation& inv) {
  KDP_TRY(State state, inv.load_state());
  wire::X86ThreadState64 regs;
  std::vector<std::string> lines;
  const TargetWork work = [&](TargetView& target) -> Status {
    KDP_TRY(regs, target.registers());
    lines = format_registers(regs, target.hooks.symbols());
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  if (!inv.args.empty()) {
    KDP_TRY(lines, selected_lines(lines, inv.args));
  }
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object();
    for (size_t i = 0; i < wire::X86ThreadState64::kCount; ++i) {
      const std::string_view name = wire::X86ThreadState64::kNames[i];
      const bool asked = inv.args.empty() || std::any_of(inv.args.begin(), inv.args.end(), [&](const std::string& a) {
        return json_name(a) == name;
      });
      if (asked) j.hex_field(name, regs.regs[i]);
    }
    inv.out << j.end_object().str() << "\n";
    return {};
  }
  for (const std::string& line : lines) inv.out << line << "\n";
  return {};
}

const CommandSpec kRegs{
    .name = "regs",
    .usage = "regs [NAME...]",
    .summary = "the stopped CPU's registers, as gdb's `info registers` shows them (NAME: rip, pc, rsp, eflags ...)",
    .run = run_regs,
};

}  // namespace

const CommandSpec& regs_command() { return kRegs; }
}  // namespace kdp::cli
