#include "macho/disasm.h"

#include <capstone/capstone.h>

namespace kdp::macho {
namespace {

// Owns a Capstone handle and one instruction buffer for cs_disasm_iter.
class Decoder {
 public:
  ~Decoder() {
    if (insn_ != nullptr) cs_free(insn_, 1);
    if (open_) cs_close(&handle_);
  }

  Status open(Syntax syntax) {
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle_) != CS_ERR_OK)
      return Error(ErrorKind::kIo, "capstone: cannot open an x86-64 decoder");
    open_ = true;
    cs_option(handle_, CS_OPT_SYNTAX, syntax == Syntax::kAtt ? CS_OPT_SYNTAX_ATT : CS_OPT_SYNTAX_INTEL);
    cs_option(handle_, CS_OPT_DETAIL, CS_OPT_ON);
    insn_ = cs_malloc(handle_);
    if (insn_ == nullptr) return Error(ErrorKind::kIo, "capstone: out of memory");
    return {};
  }

  // Decodes at *code; advances code/size/address past the instruction on success.
  bool next(const uint8_t** code, size_t* size, uint64_t* address) {
    return cs_disasm_iter(handle_, code, size, address, insn_);
  }
  const cs_insn& insn() const { return *insn_; }
  bool in_group(uint8_t group) const { return cs_insn_group(handle_, insn_, group); }

 private:
  csh handle_ = 0;
  bool open_ = false;
  cs_insn* insn_ = nullptr;
};

void find_target(const Decoder& d, Instruction& out) {
  const cs_x86& x86 = d.insn().detail->x86;
  bool branch = d.in_group(CS_GRP_JUMP) || d.in_group(CS_GRP_CALL);
  for (uint8_t i = 0; i < x86.op_count; ++i) {
    const cs_x86_op& op = x86.operands[i];
    if (branch && op.type == X86_OP_IMM) {
      out.target_kind = Instruction::TargetKind::kBranch;
      out.target = static_cast<uint64_t>(op.imm);
      return;
    }
    if (op.type == X86_OP_MEM && op.mem.base == X86_REG_RIP && op.mem.index == X86_REG_INVALID) {
      out.target_kind = Instruction::TargetKind::kMemory;
      out.target = out.address + out.bytes.size() + static_cast<uint64_t>(op.mem.disp);
      return;
    }
  }
}

// gdb prints AT&T operands without a space after the comma ("%rsp,%rbp", "(%rax,%rbx,4)").
std::string gdb_att_operands(std::string_view capstone) {
  std::string out;
  for (size_t i = 0; i < capstone.size(); ++i) {
    out += capstone[i];
    if (capstone[i] == ',' && i + 1 < capstone.size() && capstone[i + 1] == ' ') ++i;
  }
  return out;
}

Instruction decoded(const Decoder& d, const Symbolizer* symbolizer, Syntax syntax) {
  const cs_insn& insn = d.insn();
  Instruction out;
  out.address = insn.address;
  out.bytes.assign(insn.bytes, insn.bytes + insn.size);
  out.mnemonic = insn.mnemonic;
  out.operands = syntax == Syntax::kAtt ? gdb_att_operands(insn.op_str) : std::string(insn.op_str);
  find_target(d, out);
  if (out.target_kind != Instruction::TargetKind::kNone)
    out.target_symbol = format_address_symbol(symbolizer, out.target);
  return out;
}

}  // namespace

Expected<std::vector<Instruction>> disassemble(ByteView code, uint64_t address, size_t count,
                                               const Symbolizer* symbolizer, Syntax syntax) {
  Decoder decoder;
  KDP_TRY_STATUS(decoder.open(syntax));
  std::vector<Instruction> out;
  const uint8_t* p = code.data();
  size_t size = code.size();
  while (out.size() < count && size > 0) {
    uint64_t at = address;
    if (decoder.next(&p, &size, &address)) {
      out.push_back(decoded(decoder, symbolizer, syntax));
    } else {
      out.push_back(Instruction{at, {*p}, "(bad)", "", {}, Instruction::TargetKind::kNone, 0, {}});
      ++p;
      --size;
      ++address;
    }
    out.back().location = format_address_symbol(symbolizer, at);
  }
  return out;
}

std::string render_instruction(const Instruction& insn, bool is_pc) {
  std::string line = is_pc ? "=> " : "   ";
  line += hex(insn.address);
  if (insn.location) line += " <" + *insn.location + ">";
  line += ":\t";
  std::string mnemonic = insn.mnemonic;
  if (!insn.operands.empty()) {
    mnemonic.resize(std::max<size_t>(mnemonic.size(), 6), ' ');  // gdb pads to 6, then a space
    line += mnemonic + " " + insn.operands;
  } else {
    line += mnemonic;
  }
  if (insn.target_kind == Instruction::TargetKind::kBranch && insn.target_symbol)
    line += " <" + *insn.target_symbol + ">";
  if (insn.target_kind == Instruction::TargetKind::kMemory)
    line += "\t# " + hex(insn.target) + (insn.target_symbol ? " <" + *insn.target_symbol + ">" : "");
  return line;
}

std::string render_instructions(const std::vector<Instruction>& insns, std::optional<uint64_t> pc) {
  std::string out;
  for (const Instruction& insn : insns)
    out += render_instruction(insn, pc && *pc == insn.address) + "\n";
  return out;
}

}  // namespace kdp::macho
