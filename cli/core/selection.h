// gdb's selected thread and frame, kept between commands for as long as the kernel stays stopped:
// the `select` line of the state file. A selection belongs to the stop it was made at: it carries
// the stopped CPU's rip and rsp of that moment, and a command that finds other registers there
// (the kernel ran: `continue`, `step`, another debugger) ignores it.
//   select STOP-RIP STOP-RSP FRAME [THREAD NUMBER RBX RSP RBP R12 R13 R14 R15 RIP]
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/error.h"

namespace kdp::cli {

// A thread chosen with `thread N` or `switchtoact ADDR`: its saved kernel registers
// (struct x86_kernel_state, in its order), which replace the stopped CPU's, as kgmacros'
// switchtoact does.
struct SelectedThread {
  uint64_t thread = 0;
  uint64_t number = 0;  // its `info threads` number; 0: chosen by address, not numbered
  std::array<uint64_t, 8> saved{};  // rbx rsp rbp r12 r13 r14 r15 rip
  friend bool operator==(const SelectedThread&, const SelectedThread&) = default;
};

struct Selection {
  uint64_t stop_rip = 0, stop_rsp = 0;  // the stopped CPU's, when the selection was made
  std::size_t frame = 0;                // gdb's selected frame level
  std::optional<SelectedThread> thread; // none: the thread that was running on the CPU
  friend bool operator==(const Selection&, const Selection&) = default;
};

// The state file's deepest selectable frame (the backtrace's own bound).
inline constexpr std::size_t kMaxSelectableFrame = 127;

Expected<Selection> parse_selection(std::string_view value);
std::string format_selection(const Selection& selection);

}  // namespace kdp::cli
