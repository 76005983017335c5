// Where kernel knowledge plugs into kdpctl: symbol names for addresses (x labels, rip, breakpoint
// tables), x/i, and expressions in ADDR arguments. Built from macho/ (symbols, Capstone
// disassembly) and kgm/ (expressions such as `allproc+8`, `*kernproc`, `$rip-5`, which read
// through kgm::Memory). Without --kernel, x/i and expressions over numbers and registers still
// work; names need the kernel file.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/client/session.h"
#include "cli/core/examine.h"
#include "cli/core/symbols.h"
#include "cli/invocation.h"
#include "cli/kext_modules.h"
#include "kgm/expr.h"
#include "kgm/memory.h"
#include "macho/disasm.h"

namespace kdp::kgm {
class DwarfInfo;
}

namespace kdp::macho {
class Symbolizer;
class SymbolIndex;
}

namespace kdp::cli {

class KernelHooks {
 public:
  virtual ~KernelHooks() = default;
  virtual SymbolLookup symbols() const { return {}; }
  virtual Disassembler disassembler() const { return {}; }
  // The loaded kernel's symbols for library code (backtraces); null without --kernel.
  virtual const macho::Symbolizer* symbolizer() const { return nullptr; }
  // The loaded kernel's symbol index (kgmacros commands); null without --kernel.
  virtual const macho::SymbolIndex* symbol_index() const { return nullptr; }
  // What expressions see of this kernel (kgm/expr.h): symbols with their declared types (a symbol
  // in a code section is a function), memory, registers, and the kernel's types, opened the first
  // time an expression needs them. Without --kernel: numbers, registers and memory only.
  virtual kgm::ExprContext expression_context() const { return {}; }
  // An address expression as x takes it ("kext_alloc", "&kext_alloc_base", "kernproc->p_pid",
  // "$rip-5"): gdb's value_as_address of its value. Plain numbers never get here.
  Expected<uint64_t> evaluate(std::string_view text) const;
  // Why the kernel file was not loaded although one is configured (it belongs to another
  // kernel), for commands that cannot work without symbols; null otherwise.
  virtual const Error* refused() const { return nullptr; }
  // The kernel's dSYM (cli/debug_info.h): null without one.
  virtual std::shared_ptr<kgm::DwarfInfo> debug_info() const { return nullptr; }
  // The running kernel's slide: DWARF addresses are the file's, kernel addresses slid by this.
  virtual uint64_t slide() const { return 0; }
  // The user's kexts (--kext, or the remembered ones), slid to where they are loaded.
  virtual const std::vector<LoadedKext>& kexts() const;
  // Every DWARF file with its slide: the kernel's dSYM first, then the kexts'.
  std::vector<DebugModule> debug_modules() const { return cli::debug_modules(debug_info(), slide(), kexts()); }
};

// The stopped CPU's registers, read when an expression names one.
using RegisterSource = std::function<Expected<wire::X86ThreadState64>()>;

// What the hooks read from and check against.
struct HookTarget {
  const client::TargetInfo* running = nullptr;  // the live kernel (UUID check, slide); null offline
  kgm::Memory* memory = nullptr;                // `*` in expressions, x/i; null: none
  RegisterSource registers;                     // `$rip`; empty: none
  bool kernel_file = false;                     // memory is the kernel file: kexts stay unslid
};

// The hooks for this invocation: --kernel, else the remembered kernel, slid by the running
// kernel's stext (offline: unslid); --kext, else the remembered kexts, slid by their kmod entries
// (a remembered kext that cannot be used only warns). Memory and registers must outlive the hooks. Fails when the
// file cannot be read, or when a --kernel given on this command line is not the running kernel
// (UUID mismatch, unless --force). A remembered kernel file of another UUID only warns (on
// inv.err) and leaves the symbols out (refused()); a kernel that reports no UUID warns that the
// match could not be checked.
Expected<std::unique_ptr<KernelHooks>> load_kernel_hooks(const Invocation& inv, const State& state,
                                                         HookTarget target);
// The same over a live session (may be null): expressions read through an uncached
// kgm::SessionMemory the hooks own.
Expected<std::unique_ptr<KernelHooks>> load_kernel_hooks(const Invocation& inv, const State& state,
                                                         client::Session* session);

// x/i's syntax: --syntax, else the state's disassembly-flavor, else AT&T (gdb's and LLDB's default).
Expected<macho::Syntax> disassembly_syntax(const Invocation& inv, const State& state);

// ADDR arguments: "0xffffff8000200000", "18446743524955078656", or a symbol expression.
Expected<uint64_t> resolve_address(std::string_view text, const KernelHooks& hooks);

}  // namespace kdp::cli
