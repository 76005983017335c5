#include "cli/core/examine_format.h"

#include "cli/core/user_text.h"

#include <string>

namespace kdp::cli {
namespace {

bool is_size_letter(char c) { return c == 'b' || c == 'h' || c == 'w' || c == 'g'; }

Status check_format_letter(char c) {
  switch (c) {
    case 'x': case 'd': case 'u': case 'o': case 't': case 'z':
    case 'a': case 'c': case 's': case 'i':
      return {};
    case 'f':
      return usage_error("x/f (floating point) is not supported by kdpctl");
    default:
      return usage_error(std::string("Undefined output format \"") + c + "\".");
  }
}

// decode_format's defaults when only one of format and size was given.
char default_size_for(char format, char last_size) {
  switch (format) {
    case 'a': return 'g';
    case 'c': return 'b';
    case 's': return 'b';
    default: return last_size;
  }
}

struct Letters {
  int count = 1;
  bool count_given = false;
  char format = '?';
  char size = '?';
};

Expected<Letters> scan(std::string_view spec) {
  Letters l;
  size_t i = 0;
  if (i < spec.size() && spec[i] == '-') return usage_error("x with a negative count is not supported");
  uint64_t count = 0;
  for (; i < spec.size() && spec[i] >= '0' && spec[i] <= '9'; ++i) {
    count = count * 10 + static_cast<uint64_t>(spec[i] - '0');
    if (count > 1000000) return usage_error("x count " + std::string(spec.substr(0, i + 1)) + "... is too large");
    l.count_given = true;
  }
  if (l.count_given) l.count = static_cast<int>(count);
  for (; i < spec.size(); ++i) {
    const char c = spec[i];
    if (is_size_letter(c)) {
      l.size = c;
    } else if (c == 'r') {
      // gdb's "raw" flag only matters for pretty-printers; accepted and ignored.
    } else if (c >= 'a' && c <= 'z') {
      KDP_TRY_STATUS(check_format_letter(c));
      l.format = c;
    } else {
      return usage_error("invalid x format " + quote_user_text("/" + std::string(spec)) + ": " +
                         quote_user_text(spec.substr(i)) + " is not a count, size or format letter");
    }
  }
  return l;
}

}  // namespace

uint64_t ExamineFormat::unit_bytes() const {
  switch (size) {
    case 'b': return 1;
    case 'h': return 2;
    case 'w': return 4;
    default: return 8;
  }
}

Expected<ExamineFormat> parse_examine_format(std::string_view spec, const ExamineMemory& memory,
                                             bool has_address) {
  ExamineFormat f;
  f.format = memory.last_format ? memory.last_format : 'x';
  f.size = memory.last_size;
  if (!has_address && memory.last_count > 0) f.count = memory.last_count;
  if (spec.empty()) return f;
  if (spec[0] != '/') return usage_error("invalid x command " + quote_user_text("x" + std::string(spec)) + ": expected x/FMT");
  KDP_TRY(Letters l, scan(spec.substr(1)));
  f.count = l.count;
  if (l.format == '?' && l.size == '?') {
    f.format = memory.last_format;
    f.size = memory.last_size;
  } else if (l.format == '?') {
    f.format = memory.last_format == 'i' ? 'x' : memory.last_format;
    f.size = l.size;
  } else {
    f.format = l.format;
    f.size = l.size != '?' ? l.size : default_size_for(l.format, memory.last_size);
  }
  if (f.format == 's') {
    // gdb reads h/w strings as UTF-16/UTF-32; kernel strings are bytes, so kdpctl stops there.
    if (f.size == 'h' || f.size == 'w') return usage_error("x/s supports byte strings only (size b)");
    f.size = 'b';  // gdb: "Unable to display strings with size 'g', using 'b' instead."
  }
  if (f.format == 'i') f.size = 'b';
  return f;
}

ExamineMemory remember_examine(const ExamineFormat& format) {
  ExamineMemory m;
  m.last_format = format.format;
  m.last_size = format.format == 's' ? 'b' : format.size;
  m.last_count = format.count;
  return m;
}

}  // namespace kdp::cli
