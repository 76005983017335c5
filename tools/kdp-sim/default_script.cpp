#include "tools/kdp-sim/default_script.h"

#include <capstone/capstone.h>

namespace kdp::sim {
namespace {

constexpr size_t kMaxInstructions = 16;
constexpr size_t kMaxInstructionBytes = 15;

}  // namespace

std::vector<uint64_t> default_script(const stub::Memory& memory, uint64_t rip) {
  std::vector<uint64_t> path{rip};
  csh handle = 0;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) return path;
  Bytes code = memory.read(rip, kMaxInstructions * kMaxInstructionBytes);
  cs_insn* insns = nullptr;
  size_t count = cs_disasm(handle, code.data(), code.size(), rip, kMaxInstructions, &insns);
  if (count > 0) path.clear();
  for (size_t i = 0; i < count; ++i) {
    path.push_back(insns[i].address);
    if (insns[i].id == X86_INS_RET) break;
  }
  cs_free(insns, count);
  cs_close(&handle);
  return path;
}

}  // namespace kdp::sim
