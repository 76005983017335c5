// Frame-pointer stack walk for x86_64 kernel code (every xnu function keeps `push rbp; mov rbp,rsp`):
// at [rbp] the caller's rbp, at [rbp+8] the return address. The walk trusts nothing it reads: it
// stops on a null, misaligned, non-increasing or unmapped frame pointer and after kMaxFrames,
// and says which. A read that fails for another reason (timeout, protocol error) is not the end of
// the stack but a failure of the walk: it stops with kReadFailed and the error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kdp/base/error.h"
#include "kgm/memory.h"
#include "macho/symbolizer.h"

namespace kdp::kgm {

inline constexpr size_t kMaxFrames = 128;

enum class StopReason {
  kNullFramePointer,           // rbp == 0: the outermost frame (normal end)
  kNullReturnAddress,          // [rbp+8] == 0 (normal end of a kernel thread's stack)
  kMisalignedFramePointer,     // rbp not 8-aligned: not a frame
  kNonIncreasingFramePointer,  // the caller's rbp is not above this one: a loop or garbage
  kUnreadableFrame,            // [rbp] or [rbp+8] is unmapped (garbage frame pointer)
  kReadFailed,                 // the memory back-end failed (see Backtrace::error)
  kFrameLimit,                 // kMaxFrames (or the caller's limit) reached
};

// A frame at source level, from the kernel's dSYM (kgm/dwarf_frames.h).
struct SourceFrame {
  std::string function;
  std::vector<std::pair<std::string, std::string>> args;  // name, value as gdb prints it
  std::string file;                                       // "kext_alloc.c"; empty: no line info
  uint32_t line = 0;
  // The innermost frame stopped on the first instruction of a line: gdb then prints no address
  // ("#0  kext_alloc (...) at f.c:10", "Breakpoint 1, kext_alloc (...) at f.c:10").
  bool at_line_start = false;
};

struct Frame {
  uint64_t pc = 0;
  uint64_t frame_pointer = 0;          // rbp while this frame runs
  std::optional<std::string> symbol;   // "kalloc+0xb"
  std::optional<SourceFrame> source;   // with a dSYM: printed instead of "symbol ()"
};

// "kext_alloc (_addr=0xffffff804650b5f0, size=0x3000) at kext_alloc.c:107", gdb's form.
std::string source_frame_text(const SourceFrame& frame);

struct Backtrace {
  std::vector<Frame> frames;
  StopReason stop = StopReason::kNullFramePointer;
  std::string detail;  // the read error, or the offending frame pointer
  std::optional<Error> error;  // kReadFailed: why (its kind decides the exit code)
};

// `symbolizer` may be null. Caller frames are symbolized at pc-1 (the call instruction), as gdb
// does, so a call that ends a function is not attributed to the next one.
// Each frame's two words are one 16-byte read of `memory`.
Backtrace walk_frames(uint64_t rip, uint64_t rbp, Memory& memory, const macho::Symbolizer* symbolizer,
                      size_t max_frames = kMaxFrames);

// gdb's wording for the reason ("previous frame inner to this frame (corrupt stack?)").
std::string describe(StopReason reason);

// One frame's line as bt prints it at `level`, ending in '\n' (gdb's `frame N` prints the same).
std::string render_frame(const Frame& frame, size_t level);

// gdb-like lines, each ending in '\n':  "#0  0xffffff80002c5c44 in Debugger+0x4 ()"; unknown
// code is "?? ()"; abnormal stops add "Backtrace stopped: <why>".
std::string render_backtrace(const Backtrace& bt);

}  // namespace kdp::kgm
