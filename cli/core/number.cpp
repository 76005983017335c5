#include "cli/core/number.h"

#include <cstdio>
#include <cstdint>
#include <limits>

namespace kdp::cli {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

}  // namespace

Expected<uint64_t> parse_u64(std::string_view text, std::string_view what) {
  const std::string shown(text);
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return usage_error("invalid " + std::string(what) + " \"" + shown + "\"");
  uint64_t value = 0;
  for (char c : text) {
    const int d = digit_value(c);
    if (d >= static_cast<int>(base))
      return usage_error("invalid " + std::string(what) + " \"" + shown + "\"");
    if (value > (std::numeric_limits<uint64_t>::max() - d) / base)
      return usage_error(std::string(what) + " \"" + shown + "\" does not fit in 64 bits");
    value = value * base + static_cast<uint64_t>(d);
  }
  return value;
}

Expected<uint64_t> parse_size(std::string_view text, std::string_view what) {
  uint64_t unit = 1;
  if (!text.empty()) {
    const char suffix = text.back();
    if (suffix == 'K' || suffix == 'k') unit = uint64_t{1} << 10;
    if (suffix == 'M' || suffix == 'm') unit = uint64_t{1} << 20;
    if (suffix == 'G' || suffix == 'g') unit = uint64_t{1} << 30;
  }
  if (unit != 1) text.remove_suffix(1);  // K, M and G are not hex digits: "0x10K" is 16 KiB
  KDP_TRY(uint64_t n, parse_u64(text, what));
  if (n > UINT64_MAX / unit) return usage_error(std::string(what) + " is too large");
  return n * unit;
}

bool looks_numeric(std::string_view text) { return !text.empty() && text[0] >= '0' && text[0] <= '9'; }

std::string hex_padded(uint64_t value, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace kdp::cli
