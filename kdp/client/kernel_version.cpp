#include "kdp/client/kernel_version.h"

#include <cctype>

namespace kdp::client {
namespace {

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

std::optional<uint64_t> parse_hex(std::string_view s) {
  if (s.substr(0, 2) != "0x" && s.substr(0, 2) != "0X") return std::nullopt;
  s.remove_prefix(2);
  uint64_t value = 0;
  size_t digits = 0;
  for (char c : s) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10
                                                           : -1;
    if (d < 0) break;
    if (++digits > 16) return std::nullopt;
    value = value << 4 | static_cast<uint64_t>(d);
  }
  if (digits == 0) return std::nullopt;
  return value;
}

}  // namespace

KernelVersionFields parse_kernel_version(std::string_view text) {
  KernelVersionFields fields;
  if (auto at = text.find("UUID="); at != std::string_view::npos) {
    std::string_view candidate = text.substr(at + 5, 36);
    if (is_uuid(candidate)) {
      std::string uuid(candidate);
      for (char& c : uuid) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      fields.uuid = std::move(uuid);
    }
  }
  if (auto at = text.find("stext="); at != std::string_view::npos)
    fields.stext = parse_hex(text.substr(at + 6));
  return fields;
}

}  // namespace kdp::client
