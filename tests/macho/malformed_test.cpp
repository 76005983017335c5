// One malformed fixture per validation rule, each with its exact error text (as LLVM's
// test/Object/macho-invalid tests do). Fixtures are the minimal test kernel plus byte patches, so
// no binaries are committed. Offsets below follow from the minimal kernel's layout:
//   header 0x0; load commands: 0 __TEXT @0x20, 1 __DATA @0x108, 2 __LAST @0x1f0,
//   3 __LINKEDIT @0x288, 4 LC_SYMTAB @0x2d0, 5 LC_DYSYMTAB @0x2e8, 6 LC_UUID @0x338,
//   7 LC_UNIXTHREAD @0x350; sizeofcmds 0x3e8; nlists @0x5000 (11), strings @0x50b0 (0x88 bytes);
//   file size 0x5138.
#include <doctest/doctest.h>

#include <string>

#include "macho/format.h"
#include "test_kernels.h"

using namespace kdp;
using namespace kdp::macho;
using namespace kdp::macho::testing;

namespace {

Bytes patched_u32(Bytes file, uint64_t at, uint32_t value) {
  ByteWriter w;
  w.u32(value);
  std::copy(w.data().begin(), w.data().end(), file.begin() + static_cast<std::ptrdiff_t>(at));
  return file;
}

Bytes patched_u64(Bytes file, uint64_t at, uint64_t value) {
  ByteWriter w;
  w.u64(value);
  std::copy(w.data().begin(), w.data().end(), file.begin() + static_cast<std::ptrdiff_t>(at));
  return file;
}

Bytes patched_u8(Bytes file, uint64_t at, uint8_t value) {
  file.at(at) = value;
  return file;
}

const Bytes& base() { return minimal_kernel().file; }

Bytes fat_kernel() {
  TestKernelSpec spec = minimal_kernel_spec();
  spec.fat_with_i386 = true;
  TestKernel k = write_or_fail(spec);
  return k.file;
}

}  // namespace

TEST_CASE("the fixture offsets match the minimal kernel") {
  const TestKernel& k = minimal_kernel();
  REQUIRE(k.load_commands.size() == 8);
  CHECK(k.load_commands[0].offset == 0x20);
  CHECK(k.load_commands[4].cmd == kLcSymtab);
  CHECK(k.load_commands[4].offset == 0x2d0);
  CHECK(k.load_commands[6].offset == 0x338);
  CHECK(k.load_commands[7].offset == 0x350);
  CHECK(k.symoff == 0x5000);
  CHECK(k.stroff == 0x50b0);
  CHECK(k.file.size() == 0x5138);
  CHECK(load_error(base()).empty());
}

TEST_CASE("not a Mach-O kernel") {
  CHECK(load_error({}) == "bad.kernel: empty file, not a Mach-O kernel");
  CHECK(load_error({'M', 'Z', 0x90}) == "bad.kernel: not a Mach-O file (only 3 bytes)");
  CHECK(load_error({0x7f, 'E', 'L', 'F', 2, 1, 1, 0}) == "bad.kernel: not a Mach-O file (magic 0x7f454c46)");
  CHECK(load_error(patched_u32(base(), 0, kMhMagic)) ==
        "bad.kernel: 32-bit Mach-O file; kdpctl needs an x86_64 kernel");
  CHECK(load_error(patched_u32(base(), 0, kMhCigam64)) ==
        "bad.kernel: big-endian Mach-O file; kdpctl needs an x86_64 kernel");
  CHECK(load_error(patched_u32(base(), 12, kMhDsym)) ==
        "bad.kernel: filetype MH_DSYM: this is a dSYM companion; load mach_kernel itself");
  CHECK(load_error(patched_u32(base(), 12, 6)) == "bad.kernel: filetype 0x6 is not MH_EXECUTE (a kernel)");
}

TEST_CASE("wrong architecture only") {
  auto thin_arm64 = load_kernel_image_from_bytes(patched_u32(base(), 4, kCpuTypeArm64), "bad.kernel");
  REQUIRE_FALSE(thin_arm64);
  CHECK(thin_arm64.error().kind() == ErrorKind::kNotFound);
  CHECK(thin_arm64.error().message() == "bad.kernel: Mach-O file for arm64; kdpctl needs an x86_64 kernel");
  // A fat file whose only slice is i386: nfat_arch 2 -> 1 hides the x86_64 entry.
  Bytes fat = fat_kernel();
  CHECK(load_error(fat).empty());
  Bytes only_i386 = fat;
  ByteWriter one;
  one.u32be(1);
  std::copy(one.data().begin(), one.data().end(), only_i386.begin() + 4);
  CHECK(load_error(only_i386) == "bad.kernel: fat file has no x86_64 slice (it holds: i386)");
  Bytes past_end = fat;
  ByteWriter huge;
  huge.u32be(0x10000000);
  std::copy(huge.data().begin(), huge.data().end(), past_end.begin() + 8 + 20 + 12);  // arch 1 size
  CHECK(load_error(past_end) ==
        "bad.kernel: x86_64 slice [0x2000, +0x10000000) extends past the end of the file (size 0x7138)");
}

TEST_CASE("header: sizeofcmds and ncmds") {
  CHECK(load_error(patched_u32(base(), 20, 0x10000)) ==
        "bad.kernel: sizeofcmds 0x10000 extends past the end of the file (0x5118 bytes after the header)");
  CHECK(load_error(patched_u32(base(), 16, 0xffffffff)) ==
        "bad.kernel: ncmds 4294967295 cannot fit in sizeofcmds 0x3e8 (each load command needs at least 8 bytes)");
  CHECK(load_error(patched_u32(base(), 16, 9)) ==
        "bad.kernel: load command 8 at offset 0x408: lies past the end of the load commands (sizeofcmds 0x3e8)");
}

TEST_CASE("load command sizes") {
  CHECK(load_error(patched_u32(base(), 0x24, 0)) ==
        "bad.kernel: load command 0 (LC_SEGMENT_64) at offset 0x20: cmdsize 0 is below 8");
  CHECK(load_error(patched_u32(base(), 0x33c, 28)) ==
        "bad.kernel: load command 6 (LC_UUID) at offset 0x338: cmdsize 0x1c is not a multiple of 8");
  CHECK(load_error(patched_u32(base(), 0x354, 0x1000)) ==
        "bad.kernel: load command 7 (LC_UNIXTHREAD) at offset 0x350: cmdsize 0x1000 extends past the "
        "end of the load commands (sizeofcmds 0x3e8)");
}

TEST_CASE("segments and sections") {
  CHECK(load_error(patched_u64(base(), 0x108 + 48, 0x100000)) ==
        "bad.kernel: load command 1 (LC_SEGMENT_64) at offset 0x108: segment __DATA file range "
        "[0x3000, +0x100000) extends past the end of the file (size 0x5138)");
  CHECK(load_error(patched_u32(base(), 0x20 + 64, 3)) ==
        "bad.kernel: load command 0 (LC_SEGMENT_64) at offset 0x20: segment __TEXT: cmdsize 0xe8 is "
        "too small for 3 sections (needs 0x138)");
  const uint64_t const_section = 0x20 + 72 + 80;  // __TEXT's second section_64
  CHECK(load_error(patched_u64(base(), const_section + 32, 0xffffff8000300000)) ==
        "bad.kernel: load command 0 (LC_SEGMENT_64) at offset 0x20: section __TEXT,__const "
        "[0xffffff8000300000, +0x1000) lies outside its segment __TEXT [0xffffff8000200000, +0x4000)");
  CHECK(load_error(patched_u32(base(), const_section + 48, 0x4000)) ==
        "bad.kernel: load command 0 (LC_SEGMENT_64) at offset 0x20: section __TEXT,__const file range "
        "[0x4000, +0x1000) lies outside its segment's file range [0x0, +0x3000)");
  CHECK(load_error(patched_u64(base(), 0x20 + 24, 0xfffffffffffff000)) ==
        "bad.kernel: load command 0 (LC_SEGMENT_64) at offset 0x20: segment __TEXT vm range wraps "
        "around the address space");
}

TEST_CASE("overlapping segments") {
  CHECK(load_error(patched_u64(base(), 0x288 + 40, 0x3800)) ==
        "bad.kernel: segment __LINKEDIT [0x3800, +0x138) overlaps segment __DATA [0x3000, +0x1000) in the file");
  CHECK(load_error(patched_u64(base(), 0x288 + 24, 0xffffff8000204800)) ==
        "bad.kernel: segment __LINKEDIT [0xffffff8000204800, +0x1000) overlaps segment __DATA "
        "[0xffffff8000204000, +0x2000) in memory");
}

TEST_CASE("symbol and string tables") {
  CHECK(load_error(patched_u32(base(), 0x2d0 + 8, 0x6000)) ==
        "bad.kernel: load command 4 (LC_SYMTAB) at offset 0x2d0: symbol table [symoff 0x6000, 11 "
        "nlist_64 = 0xb0 bytes) extends past the end of the file (size 0x5138)");
  CHECK(load_error(patched_u32(base(), 0x2d0 + 12, 0x7fffffff)) ==
        "bad.kernel: load command 4 (LC_SYMTAB) at offset 0x2d0: symbol table [symoff 0x5000, "
        "2147483647 nlist_64 = 0x7fffffff0 bytes) extends past the end of the file (size 0x5138)");
  CHECK(load_error(patched_u32(base(), 0x2d0 + 16, 0x6000)) ==
        "bad.kernel: load command 4 (LC_SYMTAB) at offset 0x2d0: string table [stroff 0x6000, strsize "
        "0x88) extends past the end of the file (size 0x5138)");
  CHECK(load_error(patched_u32(base(), 0x2d0 + 20, 0x1000)) ==
        "bad.kernel: load command 4 (LC_SYMTAB) at offset 0x2d0: string table [stroff 0x50b0, strsize "
        "0x1000) extends past the end of the file (size 0x5138)");
  CHECK(load_error(patched_u32(base(), 0x2d0, 0x99)) ==
        "bad.kernel: no LC_SYMTAB: the kernel file has no symbol table");
  CHECK(load_error(patched_u32(base(), 0x338, kLcSymtab)) ==
        "bad.kernel: load command 6 (LC_SYMTAB) at offset 0x338: second LC_SYMTAB");
  CHECK(load_error(patched_u32(base(), 0x2e8 + 12, 100)) ==
        "bad.kernel: LC_DYSYMTAB local symbols [0, +100) exceed LC_SYMTAB nsyms 11");
}

TEST_CASE("symbol entries") {
  const uint64_t version_nlist = 0x5000 + 3 * 16;  // symbol 3 is _version
  CHECK(load_error(patched_u32(base(), version_nlist, 0x88)) ==
        "bad.kernel: symbol 3 (nlist_64 at offset 0x5030): n_strx 0x88 is past the end of the string "
        "table (strsize 0x88)");
  CHECK(load_error(patched_u8(base(), version_nlist + 5, 9)) ==
        "bad.kernel: symbol 3 (nlist_64 at offset 0x5030): n_sect 9 but the file has 5 sections");
  // strsize 0x7d cuts "_Debugger" (n_strx 0x77, the last name) before its NUL.
  CHECK(load_error(patched_u32(base(), 0x2d0 + 20, 0x7d)) ==
        "bad.kernel: symbol 10 (nlist_64 at offset 0x50a0): name at n_strx 0x77 is not NUL-terminated "
        "inside the string table");
}

TEST_CASE("LC_UUID and LC_UNIXTHREAD") {
  CHECK(load_error(patched_u32(base(), 0x33c, 16)) ==
        "bad.kernel: load command 6 (LC_UUID) at offset 0x338: cmdsize 0x10 is not 0x18");
  CHECK(load_error(patched_u32(base(), 0x350 + 12, 40)) ==
        "bad.kernel: load command 7 (LC_UNIXTHREAD) at offset 0x350: x86_THREAD_STATE64 count 40 is not 42");
  CHECK(load_error(patched_u32(base(), 0x350 + 8, 7)) ==
        "bad.kernel: load command 7 (LC_UNIXTHREAD) at offset 0x350: no x86_THREAD_STATE64 (flavor 4) state");
  CHECK(load_error(patched_u32(base(), 0x350 + 12, 0x1000)) ==
        "bad.kernel: load command 7 (LC_UNIXTHREAD): thread state at offset 0x360: needs 16384 bytes, "
        "168 available");
}

TEST_CASE("the version string") {
  const uint64_t version_nlist = 0x5000 + 3 * 16;
  CHECK(load_error(patched_u8(base(), version_nlist + 5, 4)) ==
        "bad.kernel: _version at 0xffffff8000202000 has no file bytes in __DATA,__bss");
  TestKernelSpec spec = minimal_kernel_spec();
  spec.version = std::string(0xfff, 'V');  // fills __TEXT,__const exactly, NUL included
  TestKernel k = write_or_fail(spec);
  CHECK(load_error(k.file).empty());
  CHECK(load_error(patched_u8(k.file, 0x2000 + 0xfff, 'V')) ==
        "bad.kernel: _version at 0xffffff8000202000: string is not NUL-terminated inside __TEXT,__const");
}

TEST_CASE("a file truncated anywhere fails with an error naming it, never loads short") {
  const Bytes& full = base();
  auto check_truncated = [&](size_t size) {
    Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
    std::string error = load_error(cut);
    CHECK_MESSAGE(error.rfind("bad.kernel: ", 0) == 0, "truncated to " << size << ": '" << error << "'");
  };
  for (const LoadCommandLocation& c : minimal_kernel().load_commands) {
    check_truncated(c.offset);
    check_truncated(c.offset + 4);
    check_truncated(c.offset + 12);
  }
  for (size_t size = 0; size < full.size(); size += size < 0x600 ? 1 : 61) check_truncated(size);
  check_truncated(full.size() - 1);
}

TEST_CASE("errors carry the right kind") {
  auto bad = load_kernel_image_from_bytes(patched_u32(base(), 0x24, 0), "bad.kernel");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == ErrorKind::kMalformed);
  auto no_symtab = load_kernel_image_from_bytes(patched_u32(base(), 0x2d0, 0x99), "bad.kernel");
  REQUIRE_FALSE(no_symtab);
  CHECK(no_symtab.error().kind() == ErrorKind::kNotFound);
}
