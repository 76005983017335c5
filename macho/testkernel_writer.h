// Writes kernel-shaped Mach-O files for tests, fixtures, benchmarks and the simulator (Debian's
// LIEF cannot write Mach-O). The output is what the KDK's mach_kernel looks like to a debugger:
// MH_EXECUTE x86_64, segments and sections in load-command order, LC_SYMTAB + LC_DYSYMTAB,
// LC_UUID, LC_UNIXTHREAD, a `_version` string, a few functions of real x86-64 code at their
// symbols' addresses, optionally wrapped in a fat file next to an i386 slice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "macho/format.h"
#include "macho/layout.h"

namespace kdp::macho {

struct SectionSpec {
  std::string name;
  uint64_t address = 0;
  uint64_t size = 0;
  uint32_t flags = 0;  // kSZerofill for __bss/__common; kSAttrPureInstructions for code
  // The section's leading bytes (at most `size`; none for zero-fill sections), e.g. a memory
  // image's code. The rest is padding: nop in code sections, zeros elsewhere. Functions and the
  // version string are written over it.
  Bytes content = {};
};

struct SegmentSpec {
  std::string name;
  uint64_t vmaddr = 0;
  uint64_t vmsize = 0;
  std::vector<SectionSpec> sections;
};

struct SymbolSpec {
  std::string name;  // as in the file ("_kext_alloc")
  uint64_t address = 0;
  uint8_t type = kNSect | kNExt;
  uint8_t section = 0;  // 0 with kNSect: the writer finds the section containing `address`
  uint16_t desc = 0;
};

// A function the writer assembles at `address`: push rbp; mov rbp,rsp; sub rsp,0x10;
// call <each callee>; [int3]; add rsp,0x10; pop rbp; ret. Callees are other functions' names.
struct FunctionSpec {
  std::string name;
  uint64_t address = 0;
  std::vector<std::string> calls;
  bool trap = false;  // an int3 after the calls, where a debugger stop would report rip
};

struct TestKernelSpec {
  std::vector<SegmentSpec> segments;  // __LINKEDIT is appended by the writer
  std::vector<SymbolSpec> symbols;
  std::vector<FunctionSpec> functions;  // their symbols are added unless `symbols` has them
  std::string version;                  // written at `_version` (which must be a symbol)
  Uuid uuid{};
  std::string entry_symbol = "__start";  // LC_UNIXTHREAD rip
  size_t total_symbols = 0;  // add synthetic "_kdpctl_filler_NNNNN" symbols up to this count
  size_t stab_entries = 0;   // add STABS debug-map entries (N_OSO/N_FUN) that loaders must skip
  bool fat_with_i386 = false;
};

struct LoadCommandLocation {
  uint32_t cmd = 0;
  uint64_t offset = 0;  // absolute offset in the written file
};

// The bytes a segment has in memory (file bytes; zero-fill sections are not included).
struct SegmentImage {
  std::string name;
  uint64_t vmaddr = 0;
  Bytes bytes;
};

struct PlacedFunction {
  std::string name;
  uint64_t address = 0;
  Bytes code;
  std::vector<uint64_t> return_addresses;  // the address after each call, in order
  std::optional<uint64_t> trap_address;    // the int3, if any
};

struct TestKernel {
  Bytes file;
  uint64_t slice_offset = 0;  // where the x86_64 image starts (non-zero in fat files)
  std::vector<LoadCommandLocation> load_commands;
  std::vector<SegmentImage> memory;  // what a running kernel has at these addresses
  std::vector<PlacedFunction> functions;
  uint64_t symoff = 0, stroff = 0;  // absolute offsets of the nlist and string tables
  size_t nsyms = 0;
  Bytes text;  // __TEXT,__text content, for the simulator's memory image
  uint64_t text_address = 0;

  const LoadCommandLocation* find_command(uint32_t cmd) const;
};

// Fails (kUsage) on specs that cannot be written: a symbol outside every section, a function
// that does not fit before the next symbol, an unknown callee, no `_version` symbol, ...
Expected<TestKernel> write_test_kernel(const TestKernelSpec& spec);

// The 10.7.3 (xnu-1699.24.23) layout: segments and sections at the addresses of xnu-layouts.md §10,
// the key globals of key-symbols.tsv at their real addresses, functions of real code at the real
// addresses of __start, vstart, i386_init, kernel_bootstrap_thread, kext_alloc, kalloc,
// kalloc_canblock, panic, Debugger, and filler symbols up to the real count (22,545).
TestKernelSpec lion_10_7_3_spec();
inline constexpr size_t kLionSymbolCount = 22545;
// "Darwin Kernel Version 11.3.0: … root:xnu-1699.24.23~1/RELEASE_X86_64" (96 characters: it ends
// exactly where `_version_variant` starts in the 10.7.3 table).
extern const char kLionVersion[];

// A small kernel (tens of KB, a dozen symbols) with the same shape and base address, for malformed
// fixtures and fuzzing seeds.
TestKernelSpec minimal_kernel_spec();

}  // namespace kdp::macho
