// macho/core: the MH_CORE writer and the validating reader.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "macho/core/core_file.h"

using namespace kdp;
using namespace kdp::macho;

namespace {

constexpr size_t kSeg0 = 32, kSeg1 = 32 + 72, kThread = 32 + 144;  // load command offsets

CoreFile small_core() {
  CoreFile core;
  core.segments.push_back({"__TEXT", 0xffffff8000200000ULL, 0x2000, 7, 5, Bytes(0x1800, 0x90)});
  core.segments.push_back({"", 0xffffff8000800000ULL, 0x1000, 7, 3, Bytes{1, 2, 3}});
  wire::X86ThreadState64 regs;
  for (size_t i = 0; i < regs.regs.size(); ++i) regs.regs[i] = 0x100 * i;
  core.threads.push_back(regs);
  return core;
}

Bytes small_image() {
  auto image = encode_core(small_core());
  REQUIRE(image);
  return *image;
}

void put32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void put64(Bytes& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

std::string parse_error(const Bytes& image) {
  auto core = parse_core(image, "t.core");
  REQUIRE_FALSE(core);
  CHECK(core.error().kind() == ErrorKind::kMalformed);
  return core.error().message();
}

}  // namespace

TEST_CASE("encode_core writes XNU's layout and parse_core reads it back") {
  Bytes image = small_image();
  ByteReader r(image);
  CHECK(*r.u32("magic") == 0xfeedfacf);
  CHECK(*r.u32("cputype") == 0x01000007);
  CHECK(*r.u32("cpusubtype") == 3);
  CHECK(*r.u32("filetype") == 4);
  CHECK(*r.u32("ncmds") == 3);
  CHECK(*r.u32("sizeofcmds") == 72 + 72 + 184);
  REQUIRE(r.seek(kThread, "thread"));
  CHECK(*r.u32("cmd") == 4);        // LC_THREAD
  CHECK(*r.u32("cmdsize") == 184);
  CHECK(*r.u32("flavor") == 4);     // x86_THREAD_STATE64
  CHECK(*r.u32("count") == 42);
  REQUIRE(r.seek(kSeg0 + 40, "fileoff"));
  CHECK(*r.u64("fileoff") % 4096 == 0);
  auto core = parse_core(image, "t.core");
  REQUIRE(core);
  CHECK(*core == small_core());
}

TEST_CASE("write_core_file and read_core_file round-trip through the file system") {
  std::string path = "core_file_test.tmp.core";
  REQUIRE(write_core_file(small_core(), path));
  auto core = read_core_file(path);
  std::remove(path.c_str());
  REQUIRE(core);
  CHECK(*core == small_core());
  auto missing = read_core_file("no/such/file.core");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message() == "no/such/file.core: cannot open core file");
}

TEST_CASE("the writer refuses what the reader would reject") {
  CoreFile core = small_core();
  core.segments[1].vmaddr = core.segments[0].vmaddr + 0x1fff;
  CHECK(encode_core(core).error().message().find("overlap in memory") != std::string::npos);
  core = small_core();
  core.segments[0].data.resize(0x2001);
  CHECK_FALSE(encode_core(core));
  core = small_core();
  core.segments[0].name = std::string(17, 'x');
  CHECK_FALSE(encode_core(core));
}

TEST_CASE("the reader validates the header") {
  Bytes image = small_image();
  CHECK(parse_error(Bytes(image.begin(), image.begin() + 20)).find("t.core") == 0);
  Bytes b = image;
  put32(b, 0, 0xcffaedfe);
  CHECK(parse_error(b) == "t.core: big-endian Mach-O files are not supported");
  put32(b, 0, 0xfeedface);
  CHECK(parse_error(b).find("32-bit") != std::string::npos);
  put32(b, 0, 0x7f454c46);
  CHECK(parse_error(b) == "t.core: not a Mach-O file (magic 0x7f454c46)");
  b = image;
  put32(b, 12, 2);
  CHECK(parse_error(b) == "t.core: filetype 2 is not MH_CORE (4)");
  b = image;
  put32(b, 4, 12);
  CHECK(parse_error(b).find("is not x86_64") != std::string::npos);
}

TEST_CASE("the reader validates load command sizes") {
  Bytes b = small_image();
  put32(b, 20, 0x7fffffff);  // sizeofcmds past the end
  CHECK(parse_error(b).find("sizeofcmds") != std::string::npos);
  b = small_image();
  put32(b, kSeg0 + 4, 4);  // cmdsize below 8
  CHECK(parse_error(b).find("load command 0") != std::string::npos);
  b = small_image();
  put32(b, kThread + 4, 188);  // past sizeofcmds
  CHECK(parse_error(b).find("extends past sizeofcmds") != std::string::npos);
  b = small_image();
  put32(b, 16, 2);  // ncmds too small for sizeofcmds
  CHECK(parse_error(b).find("but sizeofcmds is") != std::string::npos);
  b = small_image();
  put32(b, kSeg0 + 64, 1);  // nsects 1 without room for a section
  CHECK(parse_error(b).find("does not hold 1 sections") != std::string::npos);
}

TEST_CASE("the reader validates segment ranges") {
  Bytes b = small_image();
  put64(b, kSeg1 + 40, b.size() - 1);  // data runs off the end
  CHECK(parse_error(b).find("extends past the end of the file") != std::string::npos);
  b = small_image();
  put64(b, kSeg1 + 48, 0x2000);  // filesize > vmsize
  CHECK(parse_error(b).find("exceeds vmsize") != std::string::npos);
  b = small_image();
  put64(b, kSeg1 + 24, 0xfffffffffffff800ULL);  // wraps
  CHECK(parse_error(b).find("wraps past 2^64") != std::string::npos);
  b = small_image();
  put64(b, kSeg1 + 24, 0xffffff8000201000ULL);  // inside __TEXT
  CHECK(parse_error(b).find("overlap in memory") != std::string::npos);
  b = small_image();
  put64(b, kSeg1 + 40, 4096 + 16);  // inside __TEXT's data
  CHECK(parse_error(b).find("overlap in the file") != std::string::npos);
  b = small_image();
  put64(b, kSeg1 + 40, 8);  // over the load commands
  CHECK(parse_error(b).find("overlaps the header and load commands") != std::string::npos);
}

TEST_CASE("the reader validates LC_THREAD") {
  Bytes b = small_image();
  put32(b, kThread + 12, 41);
  CHECK(parse_error(b).find("LC_THREAD") != std::string::npos);
  b = small_image();
  put32(b, kThread + 8, 5);  // only an unknown flavor: no registers
  CHECK(parse_error(b).find("no x86_THREAD_STATE64") != std::string::npos);
  b = small_image();
  put32(b, kThread + 12, 1000);  // state longer than the command
  CHECK(parse_error(b).find("thread state") != std::string::npos);
  b = small_image();
  put32(b, kThread, 5);  // LC_UNIXTHREAD has the same shape
  CHECK(parse_core(b, "t.core"));
  put32(b, kThread, 0x1b);  // any other command (here LC_UUID) is skipped
  auto core = parse_core(b, "t.core");
  REQUIRE(core);
  CHECK(core->threads.empty());
}
