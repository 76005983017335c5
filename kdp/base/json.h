// A tiny JSON writer for `--json` output (kdpctl never parses JSON). Builds one compact document;
// commas and nesting are tracked so callers only say what comes next.
//
//   JsonWriter j;
//   j.begin_object().field("version", 12).key("cpus").begin_array().value(0).end_array().end_object();
//   j.str()  // {"version":12,"cpus":[0]}
//
// 64-bit addresses and register values go out as hex strings ("0xffffff8000200000") because
// JSON numbers above 2^53 lose precision in most consumers; counts and small ids are numbers.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kdp {

// `text` as a JSON string literal, quotes included. Valid UTF-8 passes through; control characters
// become \n, \t, ... or \u00XX; bytes that are not valid UTF-8 (kernel memory is arbitrary) become
// \u00XX of the byte value so the document stays valid and no byte is silently dropped.
std::string json_quote(std::string_view text);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  JsonWriter& value(T n) {
    if constexpr (std::is_signed_v<T>)
      return signed_number(static_cast<int64_t>(n));
    else
      return unsigned_number(static_cast<uint64_t>(n));
  }
  JsonWriter& null();

  // key + value in one call.
  template <class T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }
  template <class T>
  JsonWriter& field(std::string_view name, const std::optional<T>& v) {
    key(name);
    return v ? value(*v) : null();
  }
  // Hex string field for addresses and register values.
  JsonWriter& hex_field(std::string_view name, uint64_t v);

  const std::string& str() const { return out_; }

 private:
  JsonWriter& unsigned_number(uint64_t n);
  JsonWriter& signed_number(int64_t n);
  void before_value();
  std::string out_;
  // One entry per open container: true while it has no element yet.
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace kdp
