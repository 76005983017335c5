// x86_THREAD_STATE64 (flavor 4, 168 bytes) as carried by READREGS/WRITEREGS and LC_THREAD in core
// files (spec §6.2). Converted field by field through ByteReader/ByteWriter.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::wire {

struct X86ThreadState64 {
  // Wire order: rax rbx rcx rdx rdi rsi rbp rsp r8..r15 rip rflags cs fs gs.
  static constexpr size_t kCount = 21;
  static constexpr std::array<std::string_view, kCount> kNames = {
      "rax", "rbx", "rcx", "rdx", "rdi", "rsi", "rbp", "rsp", "r8",     "r9", "r10",
      "r11", "r12", "r13", "r14", "r15", "rip", "rflags", "cs", "fs", "gs"};
  static constexpr uint64_t kTrapFlag = 0x100;  // rflags.TF: single-step

  static constexpr size_t kBytes = kCount * 8;  // 168

  std::array<uint64_t, kCount> regs{};

  uint64_t& rip() { return regs[16]; }
  uint64_t rip() const { return regs[16]; }
  uint64_t& rsp() { return regs[7]; }
  uint64_t rsp() const { return regs[7]; }
  uint64_t& rbp() { return regs[6]; }
  uint64_t rbp() const { return regs[6]; }
  uint64_t& rflags() { return regs[17]; }
  uint64_t rflags() const { return regs[17]; }

  // Index of a register by name ("rip"), for `regs`, expressions and JSON.
  static std::optional<size_t> index_of(std::string_view name);

  Bytes encode() const;
  static Expected<X86ThreadState64> decode(ByteView bytes);  // exactly 168 bytes

  friend bool operator==(const X86ThreadState64&, const X86ThreadState64&) = default;
};

}  // namespace kdp::wire
