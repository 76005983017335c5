#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <ostream>

namespace kdp::cli {

std::string byte_count_text(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 3) value /= 1024, ++unit;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", value, units[unit]);
  return buf;
}

bool ProgressBar::stderr_is_terminal() { return ::isatty(2) == 1; }

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!enabled_ || total == 0) return;
  const int percent = static_cast<int>(done * 100 / total);
  if (percent == last_percent_) return;  // redraw at most 101 times
  last_percent_ = percent;
  constexpr int kWidth = 30;
  const int filled = percent * kWidth / 100;
  char pct[8];
  std::snprintf(pct, sizeof pct, "%3d%%", percent);
  err_ << "\r" << label_ << " [" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] " << pct
       << "  " << byte_count_text(done) << " of " << byte_count_text(total) << "\x1b[K" << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) err_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace kdp::cli
