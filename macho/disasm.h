// x86-64 disassembly (Capstone, Intel syntax) into records, and a renderer for gdb's `x/i` lines:
//    0xffffff80002a5184 <kext_alloc+0x4>:\tcall   0xffffff8000226740 <kalloc>
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

struct Instruction {
  enum class TargetKind { kNone, kBranch, kMemory };

  uint64_t address = 0;
  Bytes bytes;
  std::string mnemonic;   // "call", "(bad)"
  std::string operands;   // Capstone's Intel text: "rbp, rsp", "0xffffff8000226740"
  std::optional<std::string> location;  // the instruction's own address as "kext_alloc+0x4"
  TargetKind target_kind = TargetKind::kNone;
  uint64_t target = 0;                   // branch destination or rip-relative address
  std::optional<std::string> target_symbol;  // "kalloc+0x14"
};

// Decodes up to `count` instructions from `code`, which holds the bytes at `address`. Stops early
// only when the bytes run out. `symbolizer` may be null (no names).
Expected<std::vector<Instruction>> disassemble(ByteView code, uint64_t address, size_t count,
                                               const Symbolizer* symbolizer);

// One gdb-style line, without a newline. `is_pc` adds gdb's "=> " marker.
std::string render_instruction(const Instruction& insn, bool is_pc = false);
// All lines, each ending in '\n'; marks the one at `pc`.
std::string render_instructions(const std::vector<Instruction>& insns,
                                std::optional<uint64_t> pc = std::nullopt);

}  // namespace kdp::macho
