#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "kdp/base/json.h"

using namespace kdp;

TEST_CASE("json_quote escapes quotes, backslashes and control characters") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_quote("\n\t\r\b\f") == "\"\\n\\t\\r\\b\\f\"");
  CHECK(json_quote(std::string("\0\x01\x1f", 3)) == "\"\\u0000\\u0001\\u001f\"");
  CHECK(json_quote("/") == "\"/\"");
}

TEST_CASE("json_quote keeps valid UTF-8 and escapes every byte that is not") {
  CHECK(json_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");             // é
  CHECK(json_quote("\xf0\x9f\x90\x9b") == "\"\xf0\x9f\x90\x9b\"");   // 4-byte sequence
  CHECK(json_quote("\xff") == "\"\\u00ff\"");                        // never valid
  CHECK(json_quote("\xc3") == "\"\\u00c3\"");                        // truncated sequence
  CHECK(json_quote("\xc0\xaf") == "\"\\u00c0\\u00af\"");             // overlong '/'
  CHECK(json_quote("\xed\xa0\x80") == "\"\\u00ed\\u00a0\\u0080\"");  // UTF-16 surrogate
}

TEST_CASE("JsonWriter places commas and colons in nested documents") {
  JsonWriter j;
  j.begin_object()
      .field("version", 12)
      .field("name", "macvm")
      .field("ok", true)
      .field("delta", int64_t{-3})
      .field("uuid", std::optional<std::string>())
      .hex_field("rip", 0xffffff8000201234)
      .key("cpus")
      .begin_array()
      .value(0)
      .value(1)
      .begin_object()
      .end_object()
      .end_array()
      .key("empty")
      .begin_array()
      .end_array()
      .end_object();
  CHECK(j.str() ==
        "{\"version\":12,\"name\":\"macvm\",\"ok\":true,\"delta\":-3,\"uuid\":null,"
        "\"rip\":\"0xffffff8000201234\",\"cpus\":[0,1,{}],\"empty\":[]}");
}

TEST_CASE("JsonWriter writes 64-bit numbers exactly") {
  JsonWriter j;
  j.begin_array().value(UINT64_MAX).value(INT64_MIN).end_array();
  CHECK(j.str() == "[18446744073709551615,-9223372036854775808]");
}
