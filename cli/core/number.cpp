#include "cli/core/number.h"

#include <cstdio>
#include <cstdint>
#include <limits>

#include "cli/core/user_text.h"

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
  const std::string shown = quote_user_text(text);
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return usage_error("invalid " + std::string(what) + " " + shown);
  uint64_t value = 0;
  for (char c : text) {
    const int d = digit_value(c);
    if (d >= static_cast<int>(base))
      return usage_error("invalid " + std::string(what) + " " + shown);
    if (value > (std::numeric_limits<uint64_t>::max() - d) / base)
      return usage_error(std::string(what) + " " + shown + " does not fit in 64 bits");
    value = value * base + static_cast<uint64_t>(d);
  }
  return value;
}

namespace {

constexpr std::string_view kSizeForms = "bytes as 4096, 0x1000, 64K, 1.5M or 2G (K, M, G: powers of 1024)";

uint64_t unit_of(char suffix) {
  switch (suffix) {
    case 'K': case 'k': return uint64_t{1} << 10;
    case 'M': case 'm': return uint64_t{1} << 20;
    case 'G': case 'g': return uint64_t{1} << 30;
    default: return 1;
  }
}

// "1.5" with a unit: whole bytes only (1.5K is 1536; 1.0001K is not a byte count).
Expected<uint64_t> decimal_size(std::string_view number, uint64_t unit, std::string_view what,
                                const std::string& shown) {
  const size_t dot = number.find('.');
  const std::string_view whole = number.substr(0, dot), fraction = number.substr(dot + 1);
  const auto digits = [](std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; };
  if (whole.empty() || fraction.empty() || fraction.size() > 9 || !digits(whole) || !digits(fraction))
    return usage_error("invalid " + std::string(what) + " " + shown + ": expected " + std::string(kSizeForms));
  KDP_TRY(uint64_t n, parse_u64(whole, what));
  uint64_t scale = 1, part = 0;
  for (char c : fraction) {
    scale *= 10;
    part = part * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > UINT64_MAX / unit - 1) return usage_error(std::string(what) + " " + shown + " is too large");
  if (part * unit % scale != 0)
    return usage_error(std::string(what) + " " + shown + " is not a whole number of bytes");
  return n * unit + part * unit / scale;
}

}  // namespace

Expected<uint64_t> parse_size(std::string_view text, std::string_view what) {
  const std::string shown = quote_user_text(text);
  const uint64_t unit = text.empty() ? 1 : unit_of(text.back());
  std::string_view number = text;
  if (unit != 1) number.remove_suffix(1);  // K, M and G are not hex digits: "0x10K" is 16 KiB
  if (unit != 1 && number.find('.') != std::string_view::npos) return decimal_size(number, unit, what, shown);
  auto n = parse_u64(number, what);
  if (!n && !n.error().message().starts_with("invalid")) return n;  // too many digits
  if (!n) return usage_error("invalid " + std::string(what) + " " + shown + ": expected " + std::string(kSizeForms));
  if (*n > UINT64_MAX / unit) return usage_error(std::string(what) + " " + shown + " is too large");
  return *n * unit;
}

bool looks_numeric(std::string_view text) { return !text.empty() && text[0] >= '0' && text[0] <= '9'; }

std::string hex_padded(uint64_t value, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace kdp::cli
