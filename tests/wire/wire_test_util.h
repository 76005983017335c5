// Helpers for writing datagrams by hand in the wire tests: hex text, ASCII and padding,
// concatenated in wire order.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kdp/wire/packet.h"

namespace kdp::wire::test {

// "92 00 08 00" -> bytes; the text is a literal in the test, so a typo is a test bug worth a crash.
inline Bytes hx(std::string_view text) { return from_hex_string(text).value(); }
inline Bytes ascii(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline Bytes zeros(size_t n) { return Bytes(n, 0); }
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
// 0, 1, 2, ... 255, 0, 1, ...: recognisable filler for data payloads.
inline Bytes ramp(size_t n) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(i);
  return out;
}

// The error message of a failed Expected, "" on success: for INFO() next to a REQUIRE.
template <class T>
std::string error_text(const Expected<T>& e) {
  return e.has_value() ? std::string() : e.error().message();
}

inline Packet req(Command c, uint8_t seq, Body body = Empty{}) { return make_request(c, seq, 0, std::move(body)); }
inline Packet rep(Command c, uint8_t seq, Body body = Empty{}) { return make_reply(c, seq, 0, std::move(body)); }

}  // namespace kdp::wire::test
