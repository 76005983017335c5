// The DWARF test kernel (built by tests/dwarf/CMakeLists.txt) and an independent reading of it:
// llvm-dwarfdump's text, parsed here, is what kgm's DWARF reader is checked against.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kdp::test {

// The test kernels (tests/dwarf/CMakeLists.txt): DWARF 2 with .apple_* tables, DWARF 4 with
// .debug_names, DWARF 2 without a name index.
inline const char* const kDwarfVariants[] = {"mach_kernel", "mach_kernel_dwarf4", "mach_kernel_pub"};

// The kernel and the DWARF file of its dSYM; empty (after require_input recorded the skip or CI
// failure) when the build had no clang/ld64.lld/dsymutil/llvm-dwarfdump.
std::string dwarf_kernel(const std::string& variant = "mach_kernel");
std::string dwarf_file(const std::string& variant = "mach_kernel");

std::string run_dwarfdump(const std::string& arguments, const std::string& variant = "mach_kernel");

// Members directly inside the DIE llvm-dwarfdump --name=NAME --show-children prints first:
// name -> the DW_OP_plus_uconst / constant DW_AT_data_member_location.
std::map<std::string, uint64_t> dwarfdump_member_offsets(const std::string& type_name,
                                                         const std::string& variant = "mach_kernel");
// name -> every attribute line of that member ("DW_AT_bit_offset" -> "0x1d").
std::map<std::string, std::map<std::string, std::string>> dwarfdump_members(const std::string& type_name,
                                                                            const std::string& variant = "mach_kernel");

struct DumpedRow {
  uint64_t address = 0;
  uint32_t line = 0;
  bool end_sequence = false;
};
std::vector<DumpedRow> dwarfdump_line_rows(const std::string& variant = "mach_kernel");

// DW_AT_low_pc of the subprogram NAME, and its parameters' DW_OP_fbreg offsets in order.
struct DumpedFunction {
  uint64_t low_pc = 0;
  std::vector<std::pair<std::string, int64_t>> fbreg_params;
};
std::optional<DumpedFunction> dwarfdump_function(const std::string& name, const std::string& variant = "mach_kernel");

std::string dwarfdump_uuid();

}  // namespace kdp::test
