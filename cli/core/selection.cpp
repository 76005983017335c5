#include "cli/core/selection.h"

#include <vector>

#include "kdp/base/bytes.h"
#include "cli/core/number.h"

namespace kdp::cli {
namespace {

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const size_t start = s.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    s.remove_prefix(start);
    const size_t end = s.find_first_of(" \t");
    out.push_back(s.substr(0, end));
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  return out;
}

}  // namespace

Expected<Selection> parse_selection(std::string_view value) {
  const std::vector<std::string_view> w = split(value);
  if (w.size() != 3 && w.size() != 13)
    return usage_error("expected \"select STOP-RIP STOP-RSP FRAME [THREAD NUMBER RBX RSP RBP R12 R13 R14 R15 RIP]\"");
  Selection s;
  KDP_TRY(s.stop_rip, parse_u64(w[0], "stop rip"));
  KDP_TRY(s.stop_rsp, parse_u64(w[1], "stop rsp"));
  KDP_TRY(uint64_t frame, parse_u64(w[2], "selected frame"));
  if (frame > kMaxSelectableFrame) return usage_error("selected frame " + std::string(w[2]) + " is too deep");
  s.frame = static_cast<size_t>(frame);
  if (w.size() == 13) {
    SelectedThread t;
    KDP_TRY(t.thread, parse_u64(w[3], "selected thread"));
    KDP_TRY(t.number, parse_u64(w[4], "thread number"));
    for (size_t i = 0; i < t.saved.size(); ++i) {
      KDP_TRY(t.saved[i], parse_u64(w[5 + i], "saved register"));
    }
    s.thread = t;
  }
  return s;
}

std::string format_selection(const Selection& s) {
  std::string out = hex(s.stop_rip) + " " + hex(s.stop_rsp) + " " + std::to_string(s.frame);
  if (s.thread) {
    out += " " + hex(s.thread->thread) + " " + std::to_string(s.thread->number);
    for (uint64_t r : s.thread->saved) out += " " + hex(r);
  }
  return out;
}

}  // namespace kdp::cli
