// `x/FMT ADDR`: reads kernel memory (kgm::Memory: live, core or kernel file) and renders it exactly as gdb's x command does on x86_64
// (printcmd.c do_examine): a "0xADDR <sym+off>:" label, then tab-separated units, 8 bytes or
// halfwords, 4 words or 2 giants per line, one string or instruction per line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "cli/core/examine_format.h"
#include "cli/core/symbols.h"
#include "kgm/memory.h"

namespace kdp::cli {

struct Instruction {
  std::string text;     // "push   %rbp"
  uint64_t length = 0;  // bytes consumed
  Bytes bytes;          // the instruction's bytes (x/i --json)
};
// x/i: disassembles one instruction at `address` (provided by the kernel-loader work).
using Disassembler = std::function<Expected<Instruction>(uint64_t address, kgm::Memory& memory)>;

struct ExamineHooks {
  SymbolLookup symbols;
  Disassembler disassemble;
};

struct ExamineItem {
  uint64_t address = 0;
  Bytes bytes;       // the unit's bytes as read (for strings: without the NUL)
  std::string text;  // the unit as gdb prints it
};

struct ExamineOutput {
  std::vector<std::string> lines;  // gdb's output, one line each, without '\n'
  std::vector<ExamineItem> items;
  uint64_t next_address = 0;       // where a bare `x` continues
  std::optional<Error> error;      // e.g. "Cannot access memory at address 0x0"; lines stay valid
};

// Reads through `memory` (read_partial: memory that stops being readable ends the output where gdb
// ends it; an Error of the back-end is out.error as it came).
ExamineOutput examine(const ExamineFormat& format, uint64_t address, kgm::Memory& memory,
                      const ExamineHooks& hooks);

// One memory unit (1, 2, 4 or 8 bytes, little endian value `raw`) in format x d u o t z a c or 0.
std::string format_unit(uint64_t raw, const ExamineFormat& format, const SymbolLookup& symbols);

}  // namespace kdp::cli
