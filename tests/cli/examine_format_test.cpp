#include <doctest/doctest.h>

#include "cli/core/examine_format.h"

using namespace kdp;
using namespace kdp::cli;

namespace {
ExamineFormat parse_ok(std::string_view spec, ExamineMemory memory = {}, bool has_address = true) {
  auto f = parse_examine_format(spec, memory, has_address);
  REQUIRE_MESSAGE(f, (f ? "" : f.error().message()));
  return *f;
}
std::string parse_error(std::string_view spec) {
  auto f = parse_examine_format(spec, {}, true);
  REQUIRE_FALSE(f);
  CHECK(f.error().kind() == ErrorKind::kUsage);
  return f.error().message();
}
}  // namespace

TEST_CASE("count, format and size letters in any order") {
  CHECK(parse_ok("/8gx") == ExamineFormat{8, 'x', 'g'});
  CHECK(parse_ok("/8xg") == ExamineFormat{8, 'x', 'g'});
  CHECK(parse_ok("/16bx") == ExamineFormat{16, 'x', 'b'});
  CHECK(parse_ok("/4wx") == ExamineFormat{4, 'x', 'w'});
}

TEST_CASE("gdb's defaults: no letters, size only, format only") {
  CHECK(parse_ok("") == ExamineFormat{1, 'x', 'w'});       // bare x: hex words
  CHECK(parse_ok("/3") == ExamineFormat{3, '\0', 'w'});    // fresh gdb: natural format
  CHECK(parse_ok("/g") == ExamineFormat{1, '\0', 'g'});
  CHECK(parse_ok("/s") == ExamineFormat{1, 's', 'b'});
  CHECK(parse_ok("/c") == ExamineFormat{1, 'c', 'b'});
  CHECK(parse_ok("/a") == ExamineFormat{1, 'a', 'g'});
  CHECK(parse_ok("/ab") == ExamineFormat{1, 'a', 'b'});    // an explicit size wins, as in gdb
  CHECK(parse_ok("/i") == ExamineFormat{1, 'i', 'b'});
  CHECK(parse_ok("/sg") == ExamineFormat{1, 's', 'b'});    // gdb falls back to byte strings
  CHECK(parse_ok("/xr") == ExamineFormat{1, 'x', 'w'});    // raw flag accepted
}

TEST_CASE("remembered format, size and count apply like gdb's last_format/last_size/last_count") {
  const ExamineMemory after_4gx = remember_examine(ExamineFormat{4, 'x', 'g'});
  CHECK(after_4gx == ExamineMemory{'x', 'g', 4});
  CHECK(parse_ok("", after_4gx, /*has_address=*/false) == ExamineFormat{4, 'x', 'g'});
  CHECK(parse_ok("", after_4gx, /*has_address=*/true) == ExamineFormat{1, 'x', 'g'});
  CHECK(parse_ok("/2", after_4gx) == ExamineFormat{2, 'x', 'g'});
  CHECK(parse_ok("/d", after_4gx) == ExamineFormat{1, 'd', 'g'});
  CHECK(parse_ok("/b", after_4gx) == ExamineFormat{1, 'x', 'b'});
  const ExamineMemory after_s = remember_examine(ExamineFormat{1, 's', 'b'});
  CHECK(after_s.last_size == 'b');
  CHECK(parse_ok("/x", after_s) == ExamineFormat{1, 'x', 'b'});
  const ExamineMemory after_i = remember_examine(ExamineFormat{2, 'i', 'b'});
  CHECK(parse_ok("/w", after_i) == ExamineFormat{1, 'x', 'w'});  // a size after x/i means hex
}

TEST_CASE("bad specifications are usage errors that say what is wrong") {
  CHECK(parse_error("/q") == "Undefined output format \"q\".");
  CHECK(parse_error("/4f").find("floating point") != std::string::npos);
  CHECK(parse_error("/-2x").find("negative") != std::string::npos);
  CHECK(parse_error("/x4w").find("\"4w\"") != std::string::npos);
  CHECK(parse_error("/sh").find("byte strings") != std::string::npos);
  CHECK(parse_error("4gx").find("expected x/FMT") != std::string::npos);
  CHECK(parse_error("/99999999999gx").find("too large") != std::string::npos);
}
