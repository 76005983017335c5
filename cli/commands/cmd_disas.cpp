// kdpctl disassemble [FUNC|ADDR] (gdb's disas): the whole function holding the address (with no
// argument, the selected frame's pc), as gdb prints it: "Dump of assembler code for function X:",
// one "   0x… <+N>:\tinsn" line per instruction with "=> " on the selected frame's pc, and "End of
// assembler dump.". A function ends where the next symbol starts (gdb's minimal-symbol bounds).
#include <ostream>

#include "cli/command.h"
#include "cli/core/number.h"
#include "cli/kernel_hooks.h"
#include "cli/target_memory.h"
#include "kdp/base/bytes.h"
#include "kdp/base/json.h"
#include "kgm/memory_read.h"

namespace kdp::cli {
namespace {

// No kernel function comes near this; it bounds a walk through code that has no next symbol.
constexpr uint64_t kMaxFunctionBytes = 64 * 1024;

struct DisasLine {
  uint64_t address = 0;
  uint64_t offset = 0;
  Instruction instruction;
};

struct Dump {
  std::string function;
  std::optional<uint64_t> pc;  // the selected frame's, when it lies in the function
  std::vector<DisasLine> lines;
};

Expected<Dump> disassemble(TargetView& target, uint64_t address, std::optional<uint64_t> pc) {
  const SymbolLookup symbols = target.hooks.symbols();
  const Disassembler disassembler = target.hooks.disassembler();
  auto hit = symbols ? symbols(address) : std::nullopt;
  if (!hit) return usage_error("No function contains specified address.");
  if (!disassembler) return usage_error("disassemble: no disassembler available");
  Dump dump{hit->name, std::nullopt, {}};
  const uint64_t start = address - hit->offset;
  for (uint64_t at = start; at - start < kMaxFunctionBytes;) {
    if (at != start) {
      auto here = symbols(at);
      if (!here || here->offset == 0 || here->name != hit->name) break;  // the next function
    }
    auto insn = disassembler(at, target.memory);
    if (!insn && (dump.lines.empty() || !kgm::is_unmapped(insn.error()))) return std::move(insn).error();
    if (!insn || insn->length == 0) break;  // the function's code runs into unmapped memory
    dump.lines.push_back({at, at - start, std::move(insn).value()});
    at += dump.lines.back().instruction.length;
  }
  if (pc && *pc >= start && (dump.lines.empty() || *pc < dump.lines.back().address + dump.lines.back().instruction.length))
    dump.pc = pc;
  return dump;
}

std::string dump_text(const Dump& d) {
  std::string out = "Dump of assembler code for function " + d.function + ":\n";
  for (const DisasLine& l : d.lines)
    out += std::string(d.pc == l.address ? "=> " : "   ") + hex_padded(l.address) + " <+" + std::to_string(l.offset) +
           ">:\t" + l.instruction.text + "\n";
  return out + "End of assembler dump.\n";
}

void dump_json(Invocation& inv, const Dump& d) {
  JsonWriter j;
  j.begin_object().field("function", d.function).key("pc");
  d.pc ? j.value(hex(*d.pc)) : j.null();
  j.key("instructions").begin_array();
  for (const DisasLine& l : d.lines)
    j.begin_object().hex_field("address", l.address).field("offset", l.offset).field("bytes", to_hex_string(l.instruction.bytes))
        .field("text", l.instruction.text).end_object();
  inv.out << j.end_array().end_object().str() << "\n";
}

Status run_disassemble(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 64, "[FUNC|ADDR]"));
  std::string expression;
  for (const std::string& word : inv.args) expression += (expression.empty() ? "" : " ") + word;
  KDP_TRY(State state, inv.load_state());
  std::optional<Dump> dump;
  const TargetWork work = [&](TargetView& target) -> Status {
    std::optional<uint64_t> pc;
    if (auto regs = target.registers()) pc = regs->rip();
    else if (expression.empty()) return std::move(regs).error();
    uint64_t address = pc.value_or(0);
    if (!expression.empty()) {
      KDP_TRY(address, resolve_address(expression, target.hooks));
    }
    KDP_TRY(dump, disassemble(target, address, pc));
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  if (inv.global.json)
    dump_json(inv, *dump);
  else
    inv.out << dump_text(*dump);
  return {};
}

const CommandSpec kDisassemble{
    .name = "disassemble",
    .usage = "disassemble [FUNC|ADDR]",
    .summary = "disassemble the function holding ADDR (default: the selected frame's pc), as gdb's disas (also: disas)",
    .details = "AT&T syntax like x/i (--syntax intel or `set disassembly-flavor intel`); \"=> \" marks the pc.",
    .run = run_disassemble,
};

}  // namespace

const CommandSpec& disassemble_command() { return kDisassemble; }
}  // namespace kdp::cli
