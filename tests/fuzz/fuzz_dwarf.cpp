// The dSYM loader on hostile bytes: our Mach-O container check, then LLVM's DWARF parser behind it
// through every lookup kdpctl makes (types with their nested members, enums, functions with
// parameters, line tables). Seed: the DWARF of the clang-built test kernel (tests/dwarf).
#include <cstddef>
#include <cstdint>

#include "kgm/dwarf_info.h"
#include "kgm/ptype.h"

using namespace kdp;
using namespace kdp::kgm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto info = DwarfInfo::from_bytes(Bytes(data, data + size), "fuzz.dSYM");
  if (!info) return 0;
  TypeModel model((*info)->types());
  for (const char* type : {"struct proc", "struct kdp_shapes", "enum kdp_color"}) (void)ptype_text(model, type, true);
  for (const char* name : {"kext_alloc", "kmod_start", "start"}) {
    auto f = (*info)->function_named(name);
    if (!f) continue;
    (void)(*info)->after_prologue(*f);
    for (uint64_t pc = f->low_pc; pc < f->high_pc && pc - f->low_pc < 64; pc += 7) {
      (void)(*info)->line_at(pc);
      (void)(*info)->function_at(pc);
    }
  }
  return 0;
}
