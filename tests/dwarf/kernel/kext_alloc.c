/* The functions of the DWARF test kernel: real code with line tables and parameters. Their line
 * numbers are the tests' expectations (tests/dwarf read them from llvm-dwarfdump, not from here). */
#include "xnu_proc.h"

struct proc proc0;
struct kdp_shapes shapes0;
vm_offset_t kext_alloc_base = 0x1000;

int kext_alloc(vm_offset_t *_addr, vm_size_t size, boolean_t fixed)
{
  vm_offset_t addr = fixed ? *_addr : kext_alloc_base;
  kext_alloc_base += size;
  *_addr = addr;
  return 0;
}

int kmod_start(int count)
{
  vm_offset_t where = 0;
  int result = kext_alloc(&where, 0x3000, 0);
  return result + count + proc0.p_pid + shapes0.low;
}

void start(void)
{
  kmod_start(1);
}
