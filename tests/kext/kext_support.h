// The DebugTest kext built by tests/kext/CMakeLists.txt, an independent reading of it (llvm-symbolizer
// and llvm-dwarfdump over the same files), and a fixture world with it loaded: its __TEXT and __DATA
// copied from the file to a kmod address, a kmod_info for ax.ho.kext.DebugTest at the head of the
// kmod list, and the CPU stopped just after DebugTest_start's int3 (called from a kernel function).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/cli/world_support.h"

namespace kdp::test {

struct KextPaths {
  std::string bundle;      // .../DebugTest.kext
  std::string executable;  // .../DebugTest.kext/Contents/MacOS/DebugTest
  std::string dwarf;       // .../DebugTest.kext.dSYM/Contents/Resources/DWARF/DebugTest
  std::string rebuilt;     // the same kext rebuilt (another LC_UUID), not loaded anywhere
};

// nullopt (after require_input recorded the skip, or the CI failure) without the built kext.
std::optional<KextPaths> debugtest_kext();

// llvm-symbolizer --basenames over the dSYM at a file address: the function and "file:line".
struct Symbolized {
  std::string function;
  std::string file;
  uint32_t line = 0;
};
Symbolized symbolize(const std::string& dwarf, uint64_t file_address);

// From llvm-dwarfdump: the subprogram's DW_AT_low_pc, DW_AT_decl_line and its parameters' DW_OP_fbreg offsets.
struct DumpedFunction {
  uint64_t low_pc = 0;
  uint32_t decl_line = 0;
  std::vector<std::pair<std::string, int64_t>> fbreg_params;
};
DumpedFunction dumped_function(const std::string& dwarf, const std::string& name);
// DW_AT_location's address of a global variable (DW_OP_addr).
uint64_t dumped_variable_address(const std::string& dwarf, const std::string& name);
// The line-table rows (address, line) of the dSYM, end_sequence rows left out.
std::vector<std::pair<uint64_t, uint32_t>> dumped_line_rows(const std::string& dwarf);
// The UUID llvm-dwarfdump --uuid prints for the file.
std::string dumped_uuid(const std::string& file);

inline constexpr uint64_t kKextLoadAddress = 0xffffff7f80b2a000ULL;
inline constexpr char kDebugTestId[] = "ax.ho.kext.DebugTest";

struct KextWorld {
  std::unique_ptr<cli::test::WorldFiles> files;
  std::string core;           // world.core with the kext loaded
  uint64_t kmod_info = 0;     // DebugTest's kmod_info
  uint64_t rip = 0;           // just after the int3 (slid)
  uint64_t return_address = 0;     // into the kernel function that called DebugTest_start
  std::string caller_symbol;       // that return address as the world's kernel names it
  uint64_t d_argument = 0;         // DebugTest_start's second argument, stored in its frame
};

// `listed`: whether the kmod list names the kext (false: loaded, but its kmod_info left out).
KextWorld make_kext_world(const KextPaths& kext, bool listed = true);

}  // namespace kdp::test
