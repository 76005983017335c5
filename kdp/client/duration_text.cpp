#include "kdp/client/duration_text.h"

#include <cstdio>

namespace kdp::client {

std::string duration_text(Duration d) {
  double ms = std::chrono::duration<double, std::milli>(d).count();
  char text[32];
  if (ms >= 1000)
    std::snprintf(text, sizeof text, "%.1f s", ms / 1000);
  else if (ms >= 10)
    std::snprintf(text, sizeof text, "%.0f ms", ms);
  else
    std::snprintf(text, sizeof text, "%.2g ms", ms);
  return text;
}

}  // namespace kdp::client
