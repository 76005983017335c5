#include "kdp/base/endpoint.h"

#include <algorithm>
#include <cstdio>

namespace kdp {

// RFC 5952 text: lower-case hex groups, the longest run (two or more) of zero groups as "::".
std::string ipv6_text(const std::array<uint8_t, 16>& a) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>(a[2 * i] << 8 | a[2 * i + 1]);
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char buffer[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buffer, sizeof buffer, "%x", groups[i]);
    out += buffer;
  }
  return out;
}


std::string address_text(const Endpoint& e) {
  if (e.is_v6) return ipv6_text(e.ipv6);
  return std::to_string(e.ipv4 >> 24) + "." + std::to_string((e.ipv4 >> 16) & 0xff) + "." +
         std::to_string((e.ipv4 >> 8) & 0xff) + "." + std::to_string(e.ipv4 & 0xff);
}

std::string to_string(const Endpoint& e) {
  std::string address = address_text(e);
  if (e.is_v6) address = "[" + address + "]";
  return address + ":" + std::to_string(e.port);
}

bool is_loopback(const Endpoint& e) {
  if (!e.is_v6) return (e.ipv4 >> 24) == 127;
  return std::all_of(e.ipv6.begin(), e.ipv6.end() - 1, [](uint8_t b) { return b == 0; }) && e.ipv6[15] == 1;
}

}  // namespace kdp
