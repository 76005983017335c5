// The shell's history across runs: $XDG_STATE_HOME/kdpctl/history, else
// ~/.local/state/kdpctl/history, one command per line, the last kHistoryLines kept. Only a regular
// file of ours is read or replaced: a symlink, a FIFO, a device or another user's file at that path
// is refused (the shell then keeps its history for this run only and says so once).
#pragma once

#include <string>
#include <vector>

#include "kdp/base/error.h"

namespace kdp::cli::shell {

constexpr size_t kHistoryLines = 1000;

// nullopt-like error when neither variable is set.
Expected<std::string> default_history_path(const char* xdg_state_home, const char* home);

// The remembered lines, oldest first; none when the file does not exist yet.
Expected<std::vector<std::string>> load_history(const std::string& path);

// Replaces the file (created 0600, its directory made if missing) with the last kHistoryLines of
// `lines`.
Status save_history(const std::string& path, const std::vector<std::string>& lines);

// Adds `line` to the file as it is now (not as this process loaded it), so two shells open at
// once keep each other's lines.
Status append_history(const std::string& path, const std::string& line);

}  // namespace kdp::cli::shell
