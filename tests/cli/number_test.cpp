#include <doctest/doctest.h>

#include "cli/core/exit_codes.h"
#include "cli/core/number.h"

using namespace kdp;
using namespace kdp::cli;

TEST_CASE("numbers: hex and decimal, whole text, 64 bits") {
  CHECK(parse_u64("0xffffff8000200000", "address").value() == 0xffffff8000200000);
  CHECK(parse_u64("0XFF", "address").value() == 0xff);
  CHECK(parse_u64("4096", "address").value() == 4096);
  CHECK(parse_u64("18446744073709551615", "n").value() == UINT64_MAX);
  CHECK(parse_u64("18446744073709551616", "n").error().message() == "n \"18446744073709551616\" does not fit in 64 bits");
  CHECK(parse_u64("0x1ffffffffffffffff", "n").error().kind() == ErrorKind::kUsage);
  CHECK(parse_u64("12abc", "address").error().message() == "invalid address \"12abc\"");
  CHECK(parse_u64("0x", "address").error().message() == "invalid address \"0x\"");
  CHECK(parse_u64("", "length").error().message() == "invalid length \"\"");
  CHECK(parse_u64("-1", "length").error().kind() == ErrorKind::kUsage);
}

TEST_CASE("sizes take K, M and G suffixes") {
  CHECK(parse_size("64K", "length").value() == 65536);
  CHECK(parse_size("2m", "length").value() == 2 * 1024 * 1024);
  CHECK(parse_size("1G", "length").value() == 1ull << 30);
  CHECK(parse_size("0x10K", "length").value() == 16 * 1024);
  CHECK(parse_size("0x100", "length").value() == 256);
  CHECK(parse_size("K", "length").error().kind() == ErrorKind::kUsage);
  CHECK(parse_size("17179869184G", "length").error().message() == "length \"17179869184G\" is too large");
}

TEST_CASE("numbers and symbol expressions are told apart by the first character") {
  CHECK(looks_numeric("0x10"));
  CHECK(looks_numeric("42"));
  CHECK_FALSE(looks_numeric("kext_alloc"));
  CHECK_FALSE(looks_numeric("*kernproc"));
  CHECK_FALSE(looks_numeric("$rip"));
  CHECK_FALSE(looks_numeric(""));
}

TEST_CASE("every error kind maps to the documented exit code") {
  CHECK(exit_code_for(ErrorKind::kUsage) == 2);
  CHECK(exit_code_for(ErrorKind::kNotFound) == 2);
  CHECK(exit_code_for(ErrorKind::kTimeout) == 3);
  CHECK(exit_code_for(ErrorKind::kInterrupted) == 130);
  CHECK(exit_code_for(ErrorKind::kProtocol) == 1);
  CHECK(exit_code_for(ErrorKind::kMalformed) == 1);
  CHECK(exit_code_for(ErrorKind::kIo) == 1);
  // Unmapped memory is the target's answer; a missing symbol is the user's mistake.
  CHECK(exit_code_for(Error(ErrorKind::kNotFound, "Cannot access memory at address 0x0").with_fault_address(0)) == 1);
  CHECK(exit_code_for(Error(ErrorKind::kNotFound, "no symbol named 'x'")) == 2);
  CHECK(exit_code_for(Error(ErrorKind::kTimeout, "no reply").with_fault_address(0x10)) == 3);
  CHECK(hex_padded(0x10) == "0x0000000000000010");
}

TEST_CASE("parse_size: decimal sizes with a unit, whole bytes only; errors say what is accepted") {
  CHECK(parse_size("1.5M", "length").value() == 1572864);
  CHECK(parse_size("0.5K", "length").value() == 512);
  CHECK(parse_size("1.25k", "length").value() == 1280);
  CHECK(parse_size("2.0G", "length").value() == 2ull << 30);
  CHECK(parse_size("1.0001K", "length").error().message() == "length \"1.0001K\" is not a whole number of bytes");
  const std::string bad = parse_size("1.5", "length").error().message();
  CHECK(bad == "invalid length \"1.5\": expected bytes as 4096, 0x1000, 64K, 1.5M or 2G (K, M, G: powers of 1024)");
  CHECK(parse_size(".5M", "length").error().kind() == ErrorKind::kUsage);
  CHECK(parse_size("1.M", "length").error().kind() == ErrorKind::kUsage);
  CHECK(parse_size("1.5.5M", "length").error().kind() == ErrorKind::kUsage);
  CHECK(parse_size("0x1.8M", "length").error().kind() == ErrorKind::kUsage);
  CHECK(parse_size("17179869184.5G", "length").error().message() == "length \"17179869184.5G\" is too large");
}

TEST_CASE("number errors never echo control bytes or a 100 KB argument raw") {
  const std::string msg = parse_u64("\x1b[2J" + std::string(100000, '9') + "x", "address").error().message();
  CHECK(msg.find('\x1b') == std::string::npos);
  CHECK(msg.size() < 200);
  CHECK(msg.find("(100005 bytes)") != std::string::npos);
}
