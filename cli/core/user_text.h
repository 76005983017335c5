// User input echoed in messages: an argument may hold control bytes (terminal escapes) or be 100 KB
// long. Every message that repeats what the user typed or a file contained goes through
// quote_user_text; the dispatcher passes each final message through printable_message as well.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kdp::cli {

inline constexpr size_t kMaxQuotedBytes = 64;

// "\"x/8gx\"": double quotes around `text` with \", \\ and every control byte (C0, DEL, C1)
// written as \xNN (other UTF-8 stays readable), cut after `max_bytes` input bytes with
// "... (N bytes)" saying how long it was.
std::string quote_user_text(std::string_view text, size_t max_bytes = kMaxQuotedBytes);

// A whole message made safe for a terminal: control bytes as \xNN, at most `max_bytes`
// (messages are one line).
std::string printable_message(std::string_view message, size_t max_bytes = 2048);

}  // namespace kdp::cli
