// A one-line progress bar for long transfers, redrawn in place on a terminal's stderr:
//   dump 0xffffff8000200000 [##########          ]  50%  1.0 MiB of 2.0 MiB
// Disabled (draws nothing) when stderr is not a terminal, so logs and tests stay clean.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace kdp::cli {

class ProgressBar {
 public:
  ProgressBar(std::ostream& err, bool enabled, std::string label)
      : err_(err), enabled_(enabled), label_(std::move(label)) {}
  ~ProgressBar() { finish(); }

  void update(uint64_t done, uint64_t total);
  void finish();  // ends the line (once)

  // True when file descriptor 2 is a terminal.
  static bool stderr_is_terminal();

 private:
  std::ostream& err_;
  bool enabled_;
  std::string label_;
  bool drawn_ = false;
  int last_percent_ = -1;
};

// "1.5 MiB", "512 bytes"
std::string byte_count_text(uint64_t bytes);

}  // namespace kdp::cli
