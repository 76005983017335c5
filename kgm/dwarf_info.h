// A kernel's dSYM (the KDK's mach_kernel.dSYM): its DWARF read through LLVM's DebugInfo/DWARF,
// for kernel types (a TypeProvider that converts a struct only when a command asks for it), line
// tables (`info line`, `list`, bt's "at file.c:LINE") and functions with their parameters (bt's
// "func (arg=value, ...)"). Addresses here are the dSYM's own (unslid); callers subtract the slide.
//
// The Mach-O container is validated by kgm/dwarf_container.h before LLVM reads any section, and
// every LLVM warning or error is swallowed into "not found" answers: the library prints nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kgm/types.h"
#include "macho/layout.h"

namespace kdp::kgm {

struct SourceLine {
  std::string file;       // as the line table names it ("kext_alloc.c", "osfmk/kern/x.c")
  std::string full_path;  // with its include or compile directory, as the build machine had it
  uint32_t line = 0;
};

// One line-table row: the address range [start, end) the line's code occupies there.
struct LineRange {
  SourceLine source;
  uint64_t start = 0;
  uint64_t end = 0;
};

// Where a parameter lives, from its DW_AT_location: DW_OP_fbreg N (frame base + N) or
// DW_OP_bregR N (register R + N); anything else (location lists, registers, pieces) is kUnknown,
// which gdb prints as <optimized out>.
struct ParamLocation {
  enum class Kind { kFrameBase, kRegister, kUnknown };
  Kind kind = Kind::kUnknown;
  unsigned dwarf_register = 0;  // kRegister: DWARF x86_64 numbering (6 = rbp, 7 = rsp)
  int64_t offset = 0;
};

struct FunctionParam {
  std::string name;
  TypeRef type;
  ParamLocation location;
};

// The function's frame base, from DW_AT_frame_base.
enum class FrameBase { kRbp, kCallFrameCfa, kUnknown };

struct FunctionInfo {
  std::string name;
  uint64_t low_pc = 0;
  uint64_t high_pc = 0;
  FrameBase frame_base = FrameBase::kUnknown;
  std::vector<FunctionParam> params;
  std::optional<SourceLine> declared;  // DW_AT_decl_file/line
};

class DwarfInfo : public std::enable_shared_from_this<DwarfInfo> {
 public:
  ~DwarfInfo();
  // PATH is the DWARF file itself (…/Contents/Resources/DWARF/mach_kernel).
  static Expected<std::shared_ptr<DwarfInfo>> load(const std::string& path);
  // The same over bytes already read; `name` stands in for the path in messages.
  static Expected<std::shared_ptr<DwarfInfo>> from_bytes(Bytes bytes, std::string name);

  const std::string& path() const;
  const std::optional<macho::Uuid>& uuid() const;
  // The dSYM's types, converted on first use; lives as long as this DwarfInfo is referenced.
  std::shared_ptr<const TypeProvider> types() const;

  std::optional<LineRange> line_at(uint64_t address) const;
  std::optional<FunctionInfo> function_at(uint64_t address) const;
  std::optional<FunctionInfo> function_named(std::string_view name) const;
  // The first line-table address of the function's body after its prologue (gdb's breakpoint
  // address for FUNC): the second row of the function's sequence, or low_pc.
  std::optional<uint64_t> after_prologue(const FunctionInfo& f) const;

  struct Impl;

 private:
  explicit DwarfInfo(std::unique_ptr<Impl> impl);
  static Expected<std::shared_ptr<DwarfInfo>> from_impl(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::shared_ptr<const TypeProvider> types_;
};

// The dSYM gdb and lldb look for beside a kernel: KERNEL.dSYM/Contents/Resources/DWARF/<name>;
// nullopt when there is no such regular file.
std::optional<std::string> dsym_beside(const std::string& kernel_path);
// --dsym PATH: a .dSYM bundle (its DWARF/<bundle name without .dSYM>, else its only file there)
// or the DWARF file itself. kNotFound naming PATH when neither exists.
Expected<std::string> resolve_dsym_path(const std::string& path);

}  // namespace kdp::kgm
