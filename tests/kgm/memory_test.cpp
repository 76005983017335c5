// The offline back-ends of kgm::Memory: a core file (hand-built segments written with the core
// writer) and the kernel file itself (the test-kernel writer's own description of its memory).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <string>

#include "kgm/core_memory.h"
#include "kgm/file_memory.h"
#include "kgm/memory_read.h"
#include "kgm/segment_map.h"
#include "tools/fixtures/testkernel/testkernel_writer.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

// A file in the test's temporary directory, removed at scope exit.
class TempFile {
 public:
  explicit TempFile(const Bytes& bytes) : path_("/tmp/kgm_memory_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++)) {
    FILE* f = std::fopen(path_.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
    std::fclose(f);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

Bytes pattern(size_t size, uint8_t seed) {
  Bytes b(size);
  for (size_t i = 0; i < size; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

// Segment A [0x10000, +0x2000) stores 0x100 bytes (the rest reads as zero), B follows A directly
// and is fully stored, C sits alone after a hole.
macho::CoreFile sample_core() {
  macho::CoreFile core;
  core.segments.push_back({"", 0x10000, 0x2000, macho::kVmProtAll, macho::kVmProtAll, pattern(0x100, 1)});
  core.segments.push_back({"", 0x12000, 0x1000, macho::kVmProtAll, macho::kVmProtAll, pattern(0x1000, 9)});
  core.segments.push_back({"", 0x20000, 0x10, macho::kVmProtAll, macho::kVmProtAll, pattern(0x10, 3)});
  wire::X86ThreadState64 regs;
  regs.rip() = 0xffffff8000396210;
  core.threads.push_back(regs);
  return core;
}

std::unique_ptr<CoreMemory> open_sample(const TempFile& file) {
  auto memory = CoreMemory::open(file.path());
  REQUIRE_MESSAGE(memory, (memory ? "" : memory.error().message()));
  return std::move(*memory);
}

Bytes slice(const Bytes& b, size_t from, size_t n) { return Bytes(b.begin() + from, b.begin() + from + n); }

}  // namespace

TEST_CASE("core memory: stored bytes, zero fill past filesize, adjacent segments, the fault address") {
  auto image = macho::encode_core(sample_core());
  REQUIRE(image);
  TempFile file(*image);
  auto memory = open_sample(file);
  CHECK(memory->source() == "core " + file.path());
  REQUIRE(memory->threads().size() == 1);
  CHECK(memory->threads()[0].rip() == 0xffffff8000396210);

  auto stored = memory->read(0x10010, 0x20);
  REQUIRE(stored);
  CHECK(*stored == slice(pattern(0x100, 1), 0x10, 0x20));

  auto zero_fill = memory->read(0x100f8, 0x10);  // 8 stored bytes, then 8 zero-filled
  REQUIRE(zero_fill);
  Bytes expected = slice(pattern(0x100, 1), 0xf8, 8);
  expected.resize(16, 0);
  CHECK(*zero_fill == expected);

  auto across = memory->read(0x11ffc, 8);  // the last 4 (zero) bytes of A, the first 4 of B
  REQUIRE(across);
  CHECK(*across == Bytes{0, 0, 0, 0, 9, 16, 23, 30});

  auto past_b = memory->read(0x12ff8, 0x10);  // B ends at 0x13000: a hole follows
  REQUIRE_FALSE(past_b);
  CHECK(past_b.error().kind() == ErrorKind::kNotFound);
  CHECK(past_b.error().fault_address() == 0x13000);
  CHECK(past_b.error().message() == "Cannot access memory at address 0x13000");
  CHECK(is_unmapped(past_b.error()));

  auto partial = memory->read_partial(0x12ff8, 0x10);
  REQUIRE(partial);
  CHECK(partial->size() == 8);

  auto before = memory->read(0xfff0, 0x20);  // starts in the hole below A
  REQUIRE_FALSE(before);
  CHECK(before.error().fault_address() == 0xfff0);

  auto c = read_u64(*memory, 0x20008);
  REQUIRE(c);
  CHECK(*c == 0x6c655e575049423b);  // bytes 3 + 7*i for i = 8..15, little endian
  CHECK(memory->stats().requests >= 6);
}

TEST_CASE("core memory refuses what is not a regular core file, and oversized reads") {
  auto missing = CoreMemory::open("/nonexistent/kdpctl.core");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind() == ErrorKind::kNotFound);
  auto device = CoreMemory::open("/dev/zero");  // would never end if read to EOF
  REQUIRE_FALSE(device);
  CHECK(device.error().message() == "core file /dev/zero is not a regular file (a character device); nothing read");
  TempFile garbage(Bytes{1, 2, 3});
  auto bad = CoreMemory::open(garbage.path());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == ErrorKind::kMalformed);

  auto image = macho::encode_core(sample_core());
  REQUIRE(image);
  TempFile file(*image);
  auto memory = open_sample(file);
  auto huge = memory->read(0x10000, kMaxReadBytes + 1);
  REQUIRE_FALSE(huge);
  CHECK(huge.error().kind() == ErrorKind::kUsage);
}

TEST_CASE("a read reaching the top of the address space stops there") {
  const Bytes top = pattern(0x10, 5);
  SegmentMap map({{UINT64_MAX - 0xf, 0x10, top}});
  CHECK(map.read_prefix(UINT64_MAX - 0xf, 0x10) == top);
  CHECK(map.read_prefix(UINT64_MAX - 0x3, 0x100).size() == 4);
  CHECK(map.read_prefix(0, 4).empty());
}

TEST_CASE("the kernel file as memory: its segments, unslid, and 'no target' outside them") {
  auto kernel = macho::write_test_kernel(macho::minimal_kernel_spec());
  REQUIRE(kernel);
  auto memory = FileMemory::from_bytes(kernel->file, "min.kernel");
  REQUIRE_MESSAGE(memory, (memory ? "" : memory.error().message()));
  FileMemory& m = **memory;
  CHECK(m.source() == "kernel file min.kernel (no target attached)");

  // The writer's own account of what a running kernel has at each address.
  REQUIRE_FALSE(kernel->memory.empty());
  for (const macho::SegmentImage& s : kernel->memory) {
    auto bytes = m.read(s.vmaddr, s.bytes.size());
    REQUIRE_MESSAGE(bytes, s.name);
    CHECK_MESSAGE(*bytes == s.bytes, s.name);
  }
  // The Mach-O header is the first thing in __TEXT: MH_MAGIC_64 at the unslid text base.
  auto magic = read_u32(m, 0xffffff8000200000);
  REQUIRE(magic);
  CHECK(*magic == 0xfeedfacf);
  // __bss (0xffffff8000205000) has no file bytes: zero fill, as in a fresh kernel.
  auto bss = m.read(0xffffff8000205000, 16);
  REQUIRE(bss);
  CHECK(*bss == Bytes(16, 0));

  auto outside = m.read(0xffffff8000100000, 8);
  REQUIRE_FALSE(outside);
  CHECK(outside.error().kind() == ErrorKind::kNotFound);
  CHECK(outside.error().fault_address() == 0xffffff8000100000);
  CHECK(outside.error().message() ==
        "Cannot access memory at address 0xffffff8000100000 (no target is attached, and the kernel file "
        "min.kernel does not map it)");

  auto missing = FileMemory::open("/nonexistent/mach_kernel");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind() == ErrorKind::kNotFound);
  auto not_macho = FileMemory::from_bytes(Bytes(64, 0), "zeros");
  CHECK_FALSE(not_macho);
}
