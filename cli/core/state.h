// What one kdpctl invocation leaves for the next: the current target, how to retry, the user's
// breakpoints, and gdb's examine memory. A small line-based text file:
//
//   # kdpctl state: written by kdpctl; one "key value" per line
//   format 1
//   target macvm
//   disassembly-flavor intel
//   retries 8
//   breakpoint 1 0xffffff8000201234 hits 2
//   next-breakpoint 2
//   planted 0xffffff8000201234 0x55
//   running macvm
//   session macvm 52311 7 0x9c2a11f0 0x9c2a11f9 0 12 0x1 0x3 0x1000007 0x4 1024 Darwin Kernel ...
//   x.format x
//   x.size g
//   x.count 4
//   x.next 0xffffff8000200020
//   print.next 4
//   value 3 0xffffff8008a3c000 - struct proc *
//   value p 0x0 0xffffff8008a3c000 struct proc
//   select 0xffffff8000396210 0xffffff8000e03ec0 1
//
// A malformed file is an error naming the file and line (never a guess), and it is never
// overwritten: commands load before they save, so a failed load stops them first (only
// `reattach` sets it aside, see set_aside_corrupt_state). Changes go through update_state, which
// re-reads the file under a lock, so concurrent kdpctl runs keep each other's changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/error.h"
#include "kdp/client/session.h"
#include "cli/core/breakpoints.h"
#include "cli/core/examine_format.h"
#include "cli/core/selection.h"

namespace kdp::cli {

inline constexpr int kStateFormat = 1;

// An int3 that kdpctl wrote into kernel memory itself (targets without kernel-managed
// breakpoints) and could not take out again, e.g. because `continue` timed out while the kernel ran.
// REATTACH does not undo such a write, so the next session restores the original byte. Only read
// now (state files of kdpctl versions before the int3 journal, which records these since): never
// written again, and restored by the next session like a journal entry.
struct PlantedBreakpoint {
  uint64_t address = 0;
  uint8_t original = 0;
  friend bool operator==(const PlantedBreakpoint&, const PlantedBreakpoint&) = default;
};

// The conversation the last one-shot command left with the stopped kernel at `target`
// (client::ResumePoint): the next command binds the same port and goes on with it.
struct KeptSession {
  std::string target;
  client::ResumePoint point;
  friend bool operator==(const KeptSession&, const KeptSession&) = default;
};

// A value of gdb's value history ($N) or a convenience variable ($name), kept between commands:
// its C type as a cast spells it ("struct proc *", "int"), its bits (scalars) and, for a value in
// memory (structs, arrays), its address: the history keeps where a struct was, not its bytes.
struct StoredValue {
  std::string type;
  uint64_t bits = 0;
  std::optional<uint64_t> address;
  friend bool operator==(const StoredValue&, const StoredValue&) = default;
};

// Value history entries kept (older ones are dropped, as gdb's history is bounded too).
inline constexpr size_t kMaxStoredHistory = 100;

struct State {
  std::optional<std::string> target;       // "macvm" or "192.0.2.7:41139", as the user wrote it
  std::optional<std::string> kernel;       // --kernel PATH, for symbols (kernel-loader work)
  std::vector<std::string> kexts;          // --kext PATH[@ADDR], in the order given
  std::optional<std::string> disassembly_flavor;  // x/i syntax: "att" (default) or "intel"
  std::optional<int> retries;              // transmissions per request
  std::optional<uint64_t> timeout_ms;      // per-request deadline
  std::optional<uint64_t> srtt_us;         // the round trip measured at the last reattach
  BreakpointList breakpoints;
  std::vector<PlantedBreakpoint> planted;
  std::optional<KeptSession> session;
  // The target a `continue` or `step` left running (no stop came in time): commands that need the
  // kernel stopped say so at once instead of waiting for a kernel that cannot listen.
  std::optional<std::string> running;
  ExamineMemory examine;
  std::optional<uint64_t> next_address;    // where a bare `x` continues
  std::optional<uint64_t> next_value;      // print's next value history number ($N), as in gdb
  // "1", "2" ...: the value history; other names: convenience variables (`set $p = ...`).
  std::map<std::string, StoredValue> values;
  std::optional<Selection> selection;      // gdb's selected thread and frame (cli/core/selection.h)
  friend bool operator==(const State&, const State&) = default;
};

// `path` only names the file in errors ("state file ~/.local/state/kdpctl/state:7: ...").
Expected<State> parse_state(std::string_view text, std::string_view path);
std::string serialize_state(const State& state);

// No state file kdpctl writes comes near this; a larger one is not read.
inline constexpr size_t kMaxStateBytes = 1 << 20;

// A missing file is an empty State (first run); anything unreadable or malformed is an error, and
// so is a path that is not a regular file (/dev/null, a FIFO, a directory): it is never read
// without bound, blocked on, or replaced.
Expected<State> load_state(const std::string& path);
// Creates the parent directory if needed and replaces the file atomically. Unlocked: concurrent
// writers go through update_state.
Status save_state(const std::string& path, const State& state);

// Read, change, replace under the state lock (state_lock.h), so concurrent kdpctl runs never lose
// each other's changes. `change` sees the state as it is on disk now, not as the caller loaded it
// earlier; an error from it leaves the file untouched.
using StateChange = std::function<Status(State&)>;
Status update_state(const std::string& path, const StateChange& change);

// A state file that does not parse, moved to "<file>.corrupt-<UTC time>" so `reattach` can start
// over; nothing happens (nullopt) when the file is fine, missing or not a regular file.
struct SetAside {
  std::string moved_to;
  std::string problem;  // the parse error, naming file and line
};
Expected<std::optional<SetAside>> set_aside_corrupt_state(const std::string& path);

// $KDPCTL_STATE, else $XDG_STATE_HOME/kdpctl/state, else $HOME/.local/state/kdpctl/state
// (null or empty variables count as unset).
Expected<std::string> default_state_path(const char* kdpctl_state, const char* xdg_state_home, const char* home);

}  // namespace kdp::cli
