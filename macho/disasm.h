// x86-64 disassembly (Capstone) into records, and a renderer for gdb's `x/i` lines. AT&T syntax by
// default, as gdb and LLDB print it (operands separated by a bare comma, as gdb does):
//    0xffffff80002a5184 <kext_alloc+0x4>:\tcallq  0xffffff8000226740 <kalloc>
//    0xffffff80002a5181 <kext_alloc+0x1>:\tmovq   %rsp,%rbp
// or Intel syntax on request (gdb's `set disassembly-flavor intel`), in Capstone's spelling.
// Direct branch/call targets and rip-relative memory operands are symbolicated through a
// Symbolizer. Undecodable bytes become one-byte "(bad)" records, as in gdb, and the walk goes on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "macho/symbolizer.h"

namespace kdp::macho {

enum class Syntax { kAtt, kIntel };

struct Instruction {
  enum class TargetKind { kNone, kBranch, kMemory };

  uint64_t address = 0;
  Bytes bytes;
  std::string mnemonic;   // "callq", "(bad)" (Intel: "call")
  std::string operands;   // "%rsp,%rbp", "0xffffff8000226740" (Intel: "rbp, rsp")
  std::optional<std::string> location;  // the instruction's own address as "kext_alloc+0x4"
  TargetKind target_kind = TargetKind::kNone;
  uint64_t target = 0;                   // branch destination or rip-relative address
  std::optional<std::string> target_symbol;  // "kalloc+0x14"
};

// Decodes up to `count` instructions from `code`, which holds the bytes at `address`. Stops early
// only when the bytes run out. `symbolizer` may be null (no names).
Expected<std::vector<Instruction>> disassemble(ByteView code, uint64_t address, size_t count,
                                               const Symbolizer* symbolizer, Syntax syntax = Syntax::kAtt);

// One gdb-style line, without a newline. `is_pc` adds gdb's "=> " marker.
std::string render_instruction(const Instruction& insn, bool is_pc = false);
// All lines, each ending in '\n'; marks the one at `pc`.
std::string render_instructions(const std::vector<Instruction>& insns,
                                std::optional<uint64_t> pc = std::nullopt);

}  // namespace kdp::macho
