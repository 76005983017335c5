// Fuzz target for kdpctl's own parsers and text renderers (cli/core). Properties checked on
// every input:
//   * parse_state() returns a State or an error, never crashes; a parsed State serializes to text
//     that parses back to the same State;
//   * parse_examine_format() accepts only counts, formats and sizes kdpctl can print;
//   * json_quote() output contains no raw control character and ends in a quote;
//   * gdb_string_literal() never crashes and always starts with a quote or a repeat block.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cli/core/examine_format.h"
#include "cli/core/gdb_text.h"
#include "kdp/base/json.h"
#include "cli/core/state.h"

using namespace kdp;
using namespace kdp::cli;

namespace {

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_cli: %s\ninput (%zu bytes): %s\n", what, input.size(), std::string(input).c_str());
  std::abort();
}

void check_state(std::string_view text) {
  auto state = parse_state(text, "fuzz");
  if (!state) return;
  auto again = parse_state(serialize_state(*state), "fuzz");
  if (!again) fail("a serialized state does not parse", text);
  if (!(*again == *state)) fail("a state changed through serialize/parse", text);
}

void check_format(std::string_view text) {
  auto format = parse_examine_format(text, {}, true);
  if (!format) return;
  const std::string_view formats("xduotzacsi");
  const std::string_view sizes("bhwg");
  if (format->format != '\0' && formats.find(format->format) == std::string_view::npos) fail("format letter", text);
  if (sizes.find(format->size) == std::string_view::npos) fail("size letter", text);
  if (format->count < 0) fail("negative count", text);
}

void check_text(std::string_view text) {
  const std::string quoted = json_quote(text);
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') fail("json quotes", text);
  for (char c : quoted)
    if (static_cast<unsigned char>(c) < 0x20) fail("raw control character in JSON", text);
  const Bytes bytes(text.begin(), text.end());
  const std::string literal = gdb_string_literal(bytes, false);
  if (literal.empty() || (literal.front() != '"' && literal.front() != '\'')) fail("gdb string literal", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_state(text);
  check_format(text);
  check_text(text);
  return 0;
}
