#include "cli/core/state_session.h"

#include <array>
#include <limits>

#include "kdp/base/bytes.h"
#include "cli/core/number.h"

namespace kdp::cli {
namespace {

constexpr size_t kNumbers = 11;  // PORT ... MAX-BYTES
constexpr std::array<std::string_view, kNumbers> kNames = {
    "port", "next seq", "connect key", "next key", "next notification", "protocol version",
    "feature", "cpus mask", "cpu type", "cpu subtype", "max bytes"};
constexpr std::array<uint64_t, kNumbers> kLimits = {
    0xffff, 0xff, 0xffffffff, 0xffffffff, 0xff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff};

bool blank(char c) { return c == ' ' || c == '\t'; }

// The next word of `rest`, which moves past it and the blanks after it.
std::string_view next_word(std::string_view& rest) {
  size_t end = 0;
  while (end < rest.size() && !blank(rest[end])) ++end;
  std::string_view word = rest.substr(0, end);
  while (end < rest.size() && blank(rest[end])) ++end;
  rest.remove_prefix(end);
  return word;
}

// What a state file line may hold (state.cpp check_characters): no control characters but tab
// and carriage return.
bool printable(std::string_view text) {
  for (char c : text)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') || c == 0x7f) return false;
  return true;
}

}  // namespace

Expected<KeptSession> parse_kept_session(std::string_view value) {
  KeptSession kept;
  std::string_view rest = value;
  kept.target = std::string(next_word(rest));
  std::array<uint64_t, kNumbers> n{};
  for (size_t i = 0; i < kNumbers; ++i) {
    std::string_view word = next_word(rest);
    if (word.empty()) return usage_error("session: expected " + std::string(kNames[i]));
    KDP_TRY(n[i], parse_u64(word, kNames[i]));
    if (n[i] > kLimits[i]) return usage_error("session: " + std::string(kNames[i]) + " " + std::string(word) + " is too large");
  }
  client::ResumePoint& p = kept.point;
  p.local_port = static_cast<uint16_t>(n[0]);
  p.next_seq = static_cast<uint8_t>(n[1]);
  p.connect_key = static_cast<uint32_t>(n[2]);
  p.next_key = static_cast<uint32_t>(n[3]);
  p.next_notification = static_cast<uint8_t>(n[4]);
  p.target.version = static_cast<uint32_t>(n[5]);
  p.target.feature = static_cast<uint32_t>(n[6]);
  p.target.host_info = {static_cast<uint32_t>(n[7]), static_cast<uint32_t>(n[8]), static_cast<uint32_t>(n[9])};
  p.target.max_bytes = static_cast<uint32_t>(n[10]);
  p.target.kernel_version = std::string(rest);
  if (p.local_port == 0) return usage_error("session: port 0");
  return kept;
}

std::optional<std::string> format_kept_session(const KeptSession& kept) {
  const client::ResumePoint& p = kept.point;
  if (!printable(p.target.kernel_version) || kept.target.empty() || !printable(kept.target)) return std::nullopt;
  // Trailing blanks would not survive the file's trimming: the version would then differ, and
  // the next command ask the kernel again, which is only slower.
  std::string line = kept.target + " " + std::to_string(p.local_port) + " " + std::to_string(p.next_seq) + " " +
                     hex(p.connect_key) + " " + hex(p.next_key) + " " + std::to_string(p.next_notification) + " " +
                     std::to_string(p.target.version) + " " + hex(p.target.feature) + " " +
                     hex(p.target.host_info.cpus_mask) + " " + hex(p.target.host_info.cpu_type) + " " +
                     hex(p.target.host_info.cpu_subtype) + " " + std::to_string(p.target.max_bytes);
  if (!p.target.kernel_version.empty()) line += " " + p.target.kernel_version;
  return line;
}

}  // namespace kdp::cli
