#include "kgm/gdb_text.h"

#include <cstdio>

namespace kdp::kgm {

std::string gdb_escape_char(uint8_t c, char quoter) {
  switch (c) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\v': return "\\v";
    default: break;
  }
  if (c >= 0x20 && c <= 0x7e) {
    if (c == static_cast<uint8_t>(quoter) || c == '\\') return std::string("\\") + static_cast<char>(c);
    return std::string(1, static_cast<char>(c));
  }
  char octal[8];
  std::snprintf(octal, sizeof octal, "\\%03o", c);
  return octal;
}

std::string gdb_char_literal(int8_t value) {
  return std::to_string(value) + " '" + gdb_escape_char(static_cast<uint8_t>(value), '\'') + "'";
}

namespace {

// gdb alternates between "quoted runs" of ordinary characters and 'c' <repeats N times>
// elements, separated by ", ".
class StringRenderer {
 public:
  void add_run(uint8_t c, size_t count) {
    if (count > kGdbRepeatThreshold)
      add_repeat(c, count);
    else
      add_singles(c, count);
  }
  std::string finish(bool force_ellipsis) {
    if (state_ == State::kSingle) out_ += '"';
    if (force_ellipsis) out_ += "...";
    return std::move(out_);
  }

 private:
  enum class State { kStart, kSingle, kRepeat };

  void add_repeat(uint8_t c, size_t count) {
    if (state_ == State::kSingle) out_ += '"';
    if (state_ != State::kStart) out_ += ", ";
    // gdb escapes with the string's quote ('"') even inside the single quotes: ''' is its output.
    out_ += "'" + gdb_escape_char(c, '"') + "' <repeats " + std::to_string(count) + " times>";
    state_ = State::kRepeat;
  }
  void add_singles(uint8_t c, size_t count) {
    if (state_ != State::kSingle) {
      if (state_ != State::kStart) out_ += ", ";
      out_ += '"';
    }
    const std::string escaped = gdb_escape_char(c, '"');
    for (size_t i = 0; i < count; ++i) out_ += escaped;
    state_ = State::kSingle;
  }

  std::string out_;
  State state_ = State::kStart;
};

}  // namespace

std::string gdb_string_literal(ByteView chars, bool force_ellipsis) {
  size_t length = chars.size();
  if (!force_ellipsis && length > 0 && chars[length - 1] == 0) --length;
  if (length == 0) return "\"\"";
  StringRenderer renderer;
  for (size_t i = 0; i < length;) {
    size_t run = 1;
    while (i + run < length && chars[i + run] == chars[i]) ++run;
    renderer.add_run(chars[i], run);
    i += run;
  }
  return renderer.finish(force_ellipsis);
}

}  // namespace kdp::kgm
