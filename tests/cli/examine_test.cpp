// x/FMT output against golden strings captured from GNU gdb 13.1 (Debian 13.1-3, x86_64, C locale)
// examining two small C programs; FakeMemory reproduces their data sections and minimal symbols.
// The goldens are gdb's output, not kdpctl's: a mismatch means kdpctl drifted from gdb.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/cli/fake_memory.h"
#include "cli/core/examine.h"

using namespace kdp;
using namespace kdp::cli;
using kdp::cli::test::FakeMemory;

namespace {

// t.c: unsigned char arr[64] = {...}; char str1[] = "Darwin Kernel Version 11.3.0"; ...
FakeMemory program_t() {
  FakeMemory m(0x4000, 0x400);
  Bytes arr = {7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0x80, 0x7f, 0x41, 0x00, 0x0a,
               0x27, 0x5c, 0x22, 0x09, 0x1b, 0xcc, 0x90, 0x48, 0x89, 0xe5};
  arr.resize(64, 0);
  m.put("arr", 0x4020, arr);
  m.put_string("str1", 0x4060, "Darwin Kernel Version 11.3.0");
  m.put_string("str2", 0x4080, "tab\there \"q\" back\\ nl\n esc\033 hi\377x");
  m.put_string("str3", 0x40b0, std::string(20, 'a') + "bc");
  m.put_string("str5", 0x40d0, "xyz" + std::string(16, '\'') + "end");
  m.put_string("str6", 0x40e7, "\001\002\00377");
  m.put_string("str7", 0x4100, std::string(250, 'A'));
  m.put("str4", 0x4220, Bytes(300, 0));
  return m;
}

// u.c: strings around gdb's repeat threshold (10) and print limit (200).
FakeMemory program_u() {
  FakeMemory m(0x4000, 0x500);
  m.put_string("s1", 0x4020, "aaaaaaaaaab");
  m.put_string("s2", 0x4030, "aaaaaaaaaaab");
  m.put_string("s3", 0x4040, "x\a\b\f\r\v'y");
  m.put_string("s4", 0x4050, std::string("ab") + std::string(12, '\0') + "cd");
  m.put_string("s6", 0x4070, "start" + std::string(12, '\377') + "q");
  std::string letters;
  for (int i = 0; i < 5; ++i) letters += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  m.put_string("s5", 0x40a0, letters.substr(0, 230));
  m.put_string("s7", 0x41a0, std::string(195, 'b') + std::string(20, 'c'));
  m.put_string("s8", 0x4280, std::string(200, 'd'));
  m.put_string("s9", 0x4360, std::string(199, 'e') + "f");
  return m;
}

// One gdb session: `x` commands share gdb's last format/size/count and next address.
class Session {
 public:
  explicit Session(const FakeMemory& m) : memory_(m) {}

  std::string x(const std::string& spec, std::optional<uint64_t> address = std::nullopt) {
    auto format = parse_examine_format(spec, remembered_, address.has_value());
    REQUIRE(format);
    ExamineOutput out = examine(*format, address.value_or(next_), memory_.reader(), {memory_.symbols(), {}});
    if (!out.error) remembered_ = remember_examine(*format);
    next_ = out.next_address;
    last_error_ = out.error ? out.error->message() : "";
    std::string text;
    for (const std::string& line : out.lines) text += line + "\n";
    return text;
  }
  const std::string& last_error() const { return last_error_; }

 private:
  const FakeMemory& memory_;
  ExamineMemory remembered_;
  uint64_t next_ = 0;
  std::string last_error_;
};

std::string fresh(const FakeMemory& m, const std::string& spec, uint64_t address) {
  return Session(m).x(spec, address);
}

}  // namespace

TEST_CASE("x with sizes g, b, w, h in hex: units per line and zero padding as gdb") {
  const FakeMemory m = program_t();
  CHECK(fresh(m, "/4gx", 0x4020) ==
        "0x4020 <arr>:\t0x0000000100000007\t0x0000000300000002\n"
        "0x4030 <arr+16>:\t0x5c270a00417f80ff\t0xe5894890cc1b0922\n");
  CHECK(fresh(m, "/16bx", 0x4020) ==
        "0x4020 <arr>:\t0x07\t0x00\t0x00\t0x00\t0x01\t0x00\t0x00\t0x00\n"
        "0x4028 <arr+8>:\t0x02\t0x00\t0x00\t0x00\t0x03\t0x00\t0x00\t0x00\n");
  CHECK(fresh(m, "/4wx", 0x4020) == "0x4020 <arr>:\t0x00000007\t0x00000001\t0x00000002\t0x00000003\n");
  CHECK(fresh(m, "/8hx", 0x4020) ==
        "0x4020 <arr>:\t0x0007\t0x0000\t0x0001\t0x0000\t0x0002\t0x0000\t0x0003\t0x0000\n");
  CHECK(fresh(m, "/3gx", 0x4020) ==
        "0x4020 <arr>:\t0x0000000100000007\t0x0000000300000002\n0x4030 <arr+16>:\t0x5c270a00417f80ff\n");
  CHECK(fresh(m, "/5wx", 0x4020) ==
        "0x4020 <arr>:\t0x00000007\t0x00000001\t0x00000002\t0x00000003\n0x4030 <arr+16>:\t0x417f80ff\n");
  CHECK(fresh(m, "/3xb", 0x4020) == "0x4020 <arr>:\t0x07\t0x00\t0x00\n");
  CHECK(fresh(m, "/zh", 0x4020) == "0x4020 <arr>:\t0x0007\n");
}

TEST_CASE("x in decimal, unsigned, octal and binary as gdb") {
  const FakeMemory m = program_t();
  CHECK(fresh(m, "/8bd", 0x4030) == "0x4030 <arr+16>:\t-1\t-128\t127\t65\t0\t10\t39\t92\n");
  CHECK(fresh(m, "/8bu", 0x4030) == "0x4030 <arr+16>:\t255\t128\t127\t65\t0\t10\t39\t92\n");
  CHECK(fresh(m, "/8bo", 0x4030) == "0x4030 <arr+16>:\t0377\t0200\t0177\t0101\t0\t012\t047\t0134\n");
  CHECK(fresh(m, "/4bt", 0x4030) == "0x4030 <arr+16>:\t11111111\t10000000\t01111111\t01000001\n");
  CHECK(fresh(m, "/2ht", 0x4030) == "0x4030 <arr+16>:\t1000000011111111\t0100000101111111\n");
  CHECK(fresh(m, "/2wd", 0x4030) == "0x4030 <arr+16>:\t1098875135\t1546062336\n");
  CHECK(fresh(m, "/2wo", 0x4030) == "0x4030 <arr+16>:\t010137700377\t013411605000\n");
  CHECK(fresh(m, "/2wu", 0x4030) == "0x4030 <arr+16>:\t1098875135\t1546062336\n");
  CHECK(fresh(m, "/2gd", 0x4030) == "0x4030 <arr+16>:\t6640287171796238591\t-1906913180477880030\n");
  CHECK(fresh(m, "/og", 0x4030) == "0x4030 <arr+16>:\t0560470240010137700377\n");
  CHECK(fresh(m, "/tg", 0x4020) ==
        "0x4020 <arr>:\t0000000000000000000000000000000100000000000000000000000000000111\n");
  CHECK(fresh(m, "/ob", 0x4040) == "0x4040 <arr+32>:\t0\n");
  CHECK(fresh(m, "/tb", 0x4040) == "0x4040 <arr+32>:\t00000000\n");
}

TEST_CASE("x/c prints the signed value and gdb's character literal") {
  const FakeMemory m = program_t();
  CHECK(fresh(m, "/16c", 0x4030) ==
        "0x4030 <arr+16>:\t-1 '\\377'\t-128 '\\200'\t127 '\\177'\t65 'A'\t0 '\\000'\t10 '\\n'\t39 '\\''\t92 '\\\\'\n"
        "0x4038 <arr+24>:\t34 '\"'\t9 '\\t'\t27 '\\033'\t-52 '\\314'\t-112 '\\220'\t72 'H'\t-119 '\\211'\t-27 '\\345'\n");
  CHECK(fresh(m, "/cw", 0x4030) == "0x4030 <arr+16>:\t-1 '\\377'\n");
  CHECK(fresh(m, "/2cg", 0x4030) == "0x4030 <arr+16>:\t-1 '\\377'\t34 '\"'\n");
  CHECK(fresh(program_u(), "/8c", 0x4040) ==
        "0x4040 <s3>:\t120 'x'\t7 '\\a'\t8 '\\b'\t12 '\\f'\t13 '\\r'\t11 '\\v'\t39 '\\''\t121 'y'\n");
}

TEST_CASE("x/a prints addresses with symbols, sign-extending small sizes like gdb") {
  const FakeMemory m = program_t();
  CHECK(fresh(m, "/2a", 0x4020) == "0x4020 <arr>:\t0x100000007\t0x300000002\n");
  CHECK(fresh(m, "/2a", 0x4028) == "0x4028 <arr+8>:\t0x300000002\t0x5c270a00417f80ff\n");
  CHECK(fresh(m, "/ab", 0x4030) == "0x4030 <arr+16>:\t0xffffffffffffffff\n");
  CHECK(fresh(m, "/ah", 0x4030) == "0x4030 <arr+16>:\t0xffffffffffff80ff\n");
  CHECK(fresh(m, "/aw", 0x4030) == "0x4030 <arr+16>:\t0x417f80ff\n");
  FakeMemory pointers(0x1000, 0x100);
  pointers.put("table", 0x1000, {0x10, 0x10, 0, 0, 0, 0, 0, 0});  // points at table+16
  CHECK(fresh(pointers, "/a", 0x1000) == "0x1000 <table>:\t0x1010\n");
  pointers.put("target", 0x1010, Bytes(8, 0));
  CHECK(fresh(pointers, "/a", 0x1000) == "0x1000 <table>:\t0x1010 <target>\n");
}

TEST_CASE("x/s escapes, collapses repeats and stops at 200 characters as gdb") {
  const FakeMemory t = program_t();
  CHECK(fresh(t, "/s", 0x4060) == "0x4060 <str1>:\t\"Darwin Kernel Version 11.3.0\"\n");
  CHECK(fresh(t, "/s", 0x4080) == "0x4080 <str2>:\t\"tab\\there \\\"q\\\" back\\\\ nl\\n esc\\033 hi\\377x\"\n");
  CHECK(fresh(t, "/s", 0x40b0) == "0x40b0 <str3>:\t'a' <repeats 20 times>, \"bc\"\n");
  CHECK(fresh(t, "/s", 0x4220) == "0x4220 <str4>:\t\"\"\n");
  CHECK(fresh(t, "/s", 0x40d0) == "0x40d0 <str5>:\t\"xyz\", ''' <repeats 16 times>, \"end\"\n");
  CHECK(fresh(t, "/s", 0x40e7) == "0x40e7 <str6>:\t\"\\001\\002\\00377\"\n");
  CHECK(fresh(t, "/s", 0x4100) == "0x4100 <str7>:\t'A' <repeats 200 times>...\n");
  CHECK(fresh(t, "/2s", 0x4060) == "0x4060 <str1>:\t\"Darwin Kernel Version 11.3.0\"\n0x407d:\t\"\"\n");

  const FakeMemory u = program_u();
  CHECK(fresh(u, "/s", 0x4020) == "0x4020 <s1>:\t\"aaaaaaaaaab\"\n");
  CHECK(fresh(u, "/s", 0x4030) == "0x4030 <s2>:\t'a' <repeats 11 times>, \"b\"\n");
  CHECK(fresh(u, "/s", 0x4040) == "0x4040 <s3>:\t\"x\\a\\b\\f\\r\\v'y\"\n");
  CHECK(fresh(u, "/s", 0x4050) == "0x4050 <s4>:\t\"ab\"\n");
  CHECK(fresh(u, "/s", 0x4070) == "0x4070 <s6>:\t\"start\", '\\377' <repeats 12 times>, \"q\"\n");
  CHECK(fresh(u, "/3s", 0x40a0) ==
        "0x40a0 <s5>:\t\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR\"...\n"
        "0x4168 <s5+200>:\t\"STUVWXYZabcdefghijklmnopqrstuv\"\n"
        "0x4187:\t\"\"\n");
  CHECK(fresh(u, "/2s", 0x41a0) ==
        "0x41a0 <s7>:\t'b' <repeats 195 times>, \"ccccc\"...\n0x4268 <s7+200>:\t'c' <repeats 15 times>\n");
  CHECK(fresh(u, "/2s", 0x4280) == "0x4280 <s8>:\t'd' <repeats 200 times>\n0x4348 <s8+200>:\t\"\"\n");
  CHECK(fresh(u, "/2s", 0x4360) == "0x4360 <s9>:\t'e' <repeats 199 times>, \"f\"\n0x4428 <s9+200>:\t\"\"\n");
}

TEST_CASE("a fresh gdb's defaults: natural (decimal) with a slash, hex without") {
  const FakeMemory m = program_t();
  CHECK(fresh(m, "/2", 0x4020) == "0x4020 <arr>:\t7\t1\n");
  CHECK(fresh(m, "/2b", 0x4030) == "0x4030 <arr+16>:\t-1\t-128\n");
  CHECK(fresh(m, "/2h", 0x4030) == "0x4030 <arr+16>:\t-32513\t16767\n");
  CHECK(fresh(m, "", 0x4020) == "0x4020 <arr>:\t0x00000007\n");
  CHECK(fresh(m, "/3", 0x4030) == "0x4030 <arr+16>:\t1098875135\t1546062336\t-870643422\n");
}

TEST_CASE("consecutive x commands remember format, size, count and the next address like gdb") {
  const FakeMemory m = program_t();
  Session gdb(m);
  CHECK(gdb.x("/2gx", 0x4020) == "0x4020 <arr>:\t0x0000000100000007\t0x0000000300000002\n");
  CHECK(gdb.x("") == "0x4030 <arr+16>:\t0x5c270a00417f80ff\t0xe5894890cc1b0922\n");
  CHECK(gdb.x("/2") == "0x4040 <arr+32>:\t0x0000000000000000\t0x0000000000000000\n");
  CHECK(gdb.x("/s", 0x4060) == "0x4060 <str1>:\t\"Darwin Kernel Version 11.3.0\"\n");
  CHECK(gdb.x("") == "0x407d:\t\"\"\n");
  CHECK(gdb.x("/2") == "0x407e:\t\"\"\n0x407f:\t\"\"\n");
  CHECK(gdb.x("/c", 0x4020) == "0x4020 <arr>:\t7 '\\a'\n");
  CHECK(gdb.x("/3") == "0x4021 <arr+1>:\t0 '\\000'\t0 '\\000'\t0 '\\000'\n");
  CHECK(gdb.x("/a", 0x4020) == "0x4020 <arr>:\t0x100000007\n");
  CHECK(gdb.x("/2") == "0x4028 <arr+8>:\t0x300000002\t0x5c270a00417f80ff\n");
  CHECK(gdb.x("/d", 0x4020) == "0x4020 <arr>:\t4294967303\n");
  CHECK(gdb.x("/wx", 0x4020) == "0x4020 <arr>:\t0x00000007\n");
  CHECK(gdb.x("/s", 0x4060) == "0x4060 <str1>:\t\"Darwin Kernel Version 11.3.0\"\n");
  CHECK(gdb.x("/x", 0x4020) == "0x4020 <arr>:\t0x07\n");  // strings leave the size at 'b'
}

TEST_CASE("unreadable memory: the lines before it stay, the error names the first bad unit") {
  const FakeMemory m = program_t();  // mapped [0x4000, 0x4400)
  Session gdb(m);
  CHECK(gdb.x("/2xg", 0) == "");
  CHECK(gdb.last_error() == "Cannot access memory at address 0x0");
  CHECK(gdb.x("/4gx", 0x43f0) == "0x43f0:\t0x0000000000000000\t0x0000000000000000\n");
  CHECK(gdb.last_error() == "Cannot access memory at address 0x4400");
  CHECK(gdb.x("/5wx", 0x43f0) == "0x43f0:\t0x00000000\t0x00000000\t0x00000000\t0x00000000\n");
  CHECK(gdb.last_error() == "Cannot access memory at address 0x4400");

  FakeMemory edge(0x1000, 4);
  edge.put("tail", 0x1000, {'a', 'b', 'c', 'd'});
  Session strings(edge);
  // val_print_string: what was read, then gdb's inline <error: ...>.
  CHECK(strings.x("/s", 0x1000) == "0x1000 <tail>:\t\"abcd\"<error: Cannot access memory at address 0x1004>\n");
  CHECK(strings.last_error() == "Cannot access memory at address 0x1004");
  CHECK(strings.x("/s", 0x2000) == "0x2000:\t<error: Cannot access memory at address 0x2000>\n");
}

TEST_CASE("a failed read (not unmapped memory) is passed through unchanged") {
  class Failing final : public kgm::Memory {
   public:
    Expected<Bytes> read(uint64_t, uint64_t) override { return error(); }
    Expected<Bytes> read_partial(uint64_t, uint64_t) override { return error(); }
    uint64_t max_request() const override { return 1024; }
    kgm::MemoryStats stats() const override { return {}; }
    std::string source() const override { return "127.0.0.1:1"; }

   private:
    static Error error() { return Error(ErrorKind::kTimeout, "KDP_READMEM64 to 127.0.0.1:1: no reply"); }
  } failing;
  for (const char* spec : {"/4gx", "/s"}) {
    auto format = parse_examine_format(spec, {}, true);
    REQUIRE(format);
    ExamineOutput out = examine(*format, 0x1000, failing, {});
    CHECK(out.lines.empty());
    REQUIRE(out.error);
    CHECK(out.error->kind() == ErrorKind::kTimeout);
  }
}

TEST_CASE("x/i goes through the disassembler hook, and says what is missing without one") {
  FakeMemory m(0x1000, 0x10);
  m.put("main", 0x1000, {0x55, 0x48, 0x89, 0xe5});
  auto format = parse_examine_format("/2i", {}, true);
  REQUIRE(format);
  ExamineOutput none = examine(*format, 0x1000, m.reader(), {m.symbols(), {}});
  REQUIRE(none.error);
  CHECK(none.error->message().find("x/i needs a disassembler") != std::string::npos);

  const Disassembler fake = [](uint64_t address, kgm::Memory& memory) -> Expected<Instruction> {
    KDP_TRY(Bytes b, memory.read_partial(address, 1));
    if (b.size() == 1 && b[0] == 0x55) return Instruction{"push   %rbp", 1, {0x55}};
    return Instruction{"mov    %rsp,%rbp", 3, {0x48, 0x89, 0xe5}};
  };
  ExamineOutput out = examine(*format, 0x1000, m.reader(), {m.symbols(), fake});
  CHECK_FALSE(out.error);
  REQUIRE(out.lines.size() == 2);
  // The line shape of gdb 13.1 `x/2i main`: three-space indent, label, tab, instruction.
  CHECK(out.lines[0] == "   0x1000 <main>:\tpush   %rbp");
  CHECK(out.lines[1] == "   0x1001 <main+1>:\tmov    %rsp,%rbp");
  CHECK(out.next_address == 0x1004);
  // --json: each instruction's item carries its bytes (they were empty).
  REQUIRE(out.items.size() == 2);
  CHECK(out.items[0].bytes == Bytes{0x55});
  CHECK(out.items[1].bytes == Bytes{0x48, 0x89, 0xe5});
}

TEST_CASE("JSON items carry each unit's address, bytes and text") {
  const FakeMemory m = program_t();
  auto format = parse_examine_format("/2gx", {}, true);
  REQUIRE(format);
  ExamineOutput out = examine(*format, 0x4020, m.reader(), {});
  REQUIRE(out.items.size() == 2);
  CHECK(out.items[1].address == 0x4028);
  CHECK(out.items[1].bytes == Bytes{2, 0, 0, 0, 3, 0, 0, 0});
  CHECK(out.items[1].text == "0x0000000300000002");
  CHECK(out.next_address == 0x4030);
  CHECK(out.lines == std::vector<std::string>{"0x4020:\t0x0000000100000007\t0x0000000300000002"});
}
