#include <doctest/doctest.h>

#include "cli/core/gdb_text.h"

using namespace kdp;
using namespace kdp::cli;

TEST_CASE("gdb character escapes depend on the quote in use") {
  CHECK(gdb_escape_char('"', '"') == "\\\"");
  CHECK(gdb_escape_char('"', '\'') == "\"");
  CHECK(gdb_escape_char('\'', '\'') == "\\'");
  CHECK(gdb_escape_char('\\', '"') == "\\\\");
  CHECK(gdb_escape_char(0x1b, '"') == "\\033");
  CHECK(gdb_escape_char(0x7f, '"') == "\\177");
  CHECK(gdb_escape_char(' ', '"') == " ");
  CHECK(gdb_escape_char('~', '"') == "~");
}

TEST_CASE("gdb character literals") {
  CHECK(gdb_char_literal(72) == "72 'H'");
  CHECK(gdb_char_literal(0) == "0 '\\000'");
  CHECK(gdb_char_literal(-1) == "-1 '\\377'");
  CHECK(gdb_char_literal(39) == "39 '\\''");
}

TEST_CASE("gdb string literals: repeat threshold is 'more than 10'") {
  const auto lit = [](const std::string& s, bool ellipsis = false) {
    const Bytes bytes(s.begin(), s.end());
    return gdb_string_literal(bytes, ellipsis);
  };
  CHECK(lit(std::string(10, 'z')) == "\"zzzzzzzzzz\"");
  CHECK(lit(std::string(11, 'z')) == "'z' <repeats 11 times>");
  CHECK(lit("ab" + std::string(11, 'z') + "cd" + std::string(12, 'y')) ==
        "\"ab\", 'z' <repeats 11 times>, \"cd\", 'y' <repeats 12 times>");
  CHECK(lit(std::string(11, '"')) == "'\\\"' <repeats 11 times>");
  CHECK(lit(std::string("hi\0", 3)) == "\"hi\"");  // the terminating NUL is not shown
  CHECK(lit("") == "\"\"");
  CHECK(lit("abc", true) == "\"abc\"...");
}
