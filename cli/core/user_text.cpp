#include "cli/core/user_text.h"

#include <cstdio>

namespace kdp::cli {
namespace {

// UTF-8 text stays readable; C0 controls, DEL and the C1 controls (U+0080..U+009F, which some
// terminals act on) do not reach the terminal.
bool control(std::string_view text, size_t at) {
  const auto c = static_cast<unsigned char>(text[at]);
  if (c < 0x20 || c == 0x7f) return true;
  const bool c1_lead = c == 0xc2 && at + 1 < text.size() && static_cast<unsigned char>(text[at + 1]) < 0xa0 &&
                       static_cast<unsigned char>(text[at + 1]) >= 0x80;
  const bool c1_tail = c >= 0x80 && c < 0xa0 && at > 0 && static_cast<unsigned char>(text[at - 1]) == 0xc2;
  return c1_lead || c1_tail;
}

void append_escaped(std::string& out, unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  out += buf;
}

std::string cut_note(size_t total) { return "... (" + std::to_string(total) + " bytes)"; }

}  // namespace

std::string quote_user_text(std::string_view text, size_t max_bytes) {
  std::string out = "\"";
  const std::string_view shown = text.substr(0, max_bytes);
  for (size_t i = 0; i < shown.size(); ++i) {
    const auto c = static_cast<unsigned char>(shown[i]);
    if (c == '"' || c == '\\') out += '\\';
    if (control(shown, i)) append_escaped(out, c);
    else out += static_cast<char>(c);
  }
  out += '"';
  if (shown.size() < text.size()) out += cut_note(text.size());
  return out;
}

std::string printable_message(std::string_view message, size_t max_bytes) {
  std::string out;
  const std::string_view shown = message.substr(0, max_bytes);
  for (size_t i = 0; i < shown.size(); ++i) {
    if (control(shown, i)) append_escaped(out, static_cast<unsigned char>(shown[i]));
    else out += shown[i];
  }
  if (shown.size() < message.size()) out += cut_note(message.size());
  return out;
}

}  // namespace kdp::cli
