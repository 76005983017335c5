// `x/FMT ADDR`: reads target memory and renders it exactly as gdb's x command does on x86_64
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

namespace kdp::cli {

// Reads up to `size` bytes at `address`. Returns fewer when memory stops being readable: the byte
// at address + result.size() is the first unreadable one. An Error means the read itself failed
// (timeout, protocol), not that the memory is unmapped.
using MemoryReader = std::function<Expected<Bytes>(uint64_t address, uint64_t size)>;

struct Instruction {
  std::string text;     // "push   %rbp"
  uint64_t length = 0;  // bytes consumed
};
// x/i: disassembles one instruction at `address` (provided by the kernel-loader work).
using Disassembler = std::function<Expected<Instruction>(uint64_t address, const MemoryReader& read)>;

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

ExamineOutput examine(const ExamineFormat& format, uint64_t address, const MemoryReader& read,
                      const ExamineHooks& hooks);

// One memory unit (1, 2, 4 or 8 bytes, little endian value `raw`) in format x d u o t z a c or 0.
std::string format_unit(uint64_t raw, const ExamineFormat& format, const SymbolLookup& symbols);

// gdb's memory_error_message.
Error cannot_access(uint64_t address);

}  // namespace kdp::cli
