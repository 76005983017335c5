// Ready-made specs for write_test_kernel(). Addresses are the real 10.7.3 (xnu-1699.24.23) ones from
// shared/data/xnu-1699.24.23-lion-10.7.3/key-symbols.tsv and symbols.tsv; the segment and section
// table follows xnu-layouts.md §10. That table infers only which n_sect ranges belong to which
// segment (confidence B), so the names of __TEXT sections 3-5, __DATA sections 6-8 and of the
// __HIB/__KLD sections are plausible placeholders; sizes are chosen so every symbol of the real
// table falls inside the section its n_sect names.
#include "macho/testkernel_writer.h"

namespace kdp::macho {
namespace {

constexpr uint64_t kBase = 0xffffff8000000000;
constexpr uint32_t kCode = kSAttrPureInstructions | kSAttrSomeInstructions;

SectionSpec sect(const char* name, uint64_t low_address, uint64_t size, uint32_t flags = 0) {
  return {name, kBase + low_address, size, flags};
}

SegmentSpec seg(const char* name, uint64_t low_address, uint64_t size,
                std::vector<SectionSpec> sections) {
  return {name, kBase + low_address, size, std::move(sections)};
}

std::vector<SegmentSpec> lion_segments() {
  return {
      seg("__TEXT", 0x200000, 0x600000,
          {sect("__text", 0x202000, 0x481e00, kCode), sect("__const", 0x683e00, 0x71100),
           sect("initcode", 0x6f4f00, 0x7ce0, kCode), sect("__cstring", 0x6fcbe0, 0x31450),
           sect("__ustring", 0x72e030, 0x10)}),
      seg("__DATA", 0x800000, 0xe2000,
          {sect("__mod_init_func", 0x800000, 0x8), sect("__mod_term_func", 0x800008, 0x8),
           sect("__constructor", 0x800010, 0x8), sect("__data", 0x801000, 0x5d140),
           sect("__const", 0x85e140, 0x22840), sect("__sysctl_set", 0x880980, 0x2680),
           sect("__bss", 0x883000, 0x2d000, kSZerofill),
           sect("__common", 0x8b0000, 0x32000, kSZerofill)}),
      seg("__INITGDT", 0x106000, 0x1000, {sect("__data", 0x106000, 0x1000)}),
      seg("__INITPT", 0x100000, 0x6000, {sect("__data", 0x100000, 0x6000)}),
      seg("__DESC", 0x8e2000, 0x1000, {sect("__data", 0x8e2000, 0x1000)}),
      seg("__VECTORS", 0x8e3000, 0x1000, {sect("__recover", 0x8e3000, 0x1000)}),
      seg("__HIB", 0x108000, 0x6000,
          {sect("__bootPT", 0x108000, 0x4010), sect("__text", 0x10c010, 0x10b0, kCode),
           sect("__const", 0x10d0c0, 0x100), sect("__hibhdr", 0x10d1c0, 0x200),
           sect("__data", 0x10d3c0, 0x200)}),
      seg("__SLEEP", 0x107000, 0x1000, {sect("__data", 0x107000, 0x1000)}),
      seg("__KLD", 0x8e4000, 0x18000,
          {sect("__text", 0x8e4000, 0x11000, kCode), sect("__cstring", 0x8f5000, 0xe60),
           sect("__const", 0x8f5e60, 0x100), sect("__mod_init_func", 0x8f5f60, 0x8),
           sect("__mod_term_func", 0x8f5f68, 0x8), sect("__bss", 0x8f5f70, 0x6000, kSZerofill)}),
      seg("__LAST", 0x8fc000, 0x1000, {sect("__last", 0x8fc000, 0x8)}),
      // Empty -sectcreate sections, as in the 10.7 link line (MakeInc.def).
      seg("__PRELINK_TEXT", 0x8fd000, 0, {sect("__text", 0x8fd000, 0)}),
      seg("__PRELINK_STATE", 0x8fd000, 0,
          {sect("__kernel", 0x8fd000, 0), sect("__kexts", 0x8fd000, 0)}),
      seg("__PRELINK_INFO", 0x8fd000, 0, {sect("__info", 0x8fd000, 0)}),
  };
}

struct KeySymbol {
  const char* name;
  uint64_t low_address;
  uint8_t type;
  uint8_t section;
};

// key-symbols.tsv (10.7.3 RELEASE); n_type/n_sect as in the real table.
constexpr KeySymbol kLionKeySymbols[] = {
    {"__mh_execute_header", 0x200000, 0x03, 1}, {"_allproc", 0x8d9e40, 0x0f, 13},
    {"_zombproc", 0x8d9e38, 0x0f, 13},         {"_kernproc", 0x8d8ce0, 0x0f, 13},
    {"_initproc", 0x8d8ce8, 0x0f, 13},         {"_nprocs", 0x8df010, 0x0f, 13},
    {"_pidhashtbl", 0x8d9de0, 0x0f, 13},       {"_pidhash", 0x8d9de8, 0x0f, 13},
    {"_tasks", 0x8bad80, 0x0f, 13},            {"_tasks_count", 0x8bad64, 0x0f, 13},
    {"_threads", 0x8bad90, 0x0f, 13},          {"_threads_count", 0x8bad68, 0x0f, 13},
    {"_kernel_task", 0x8bb120, 0x0f, 13},      {"_kernel_map", 0x8bbf40, 0x0f, 13},
    {"_kernel_pmap", 0x8bed60, 0x0f, 13},      {"_version", 0x6f4e40, 0x0f, 2},
    {"_version_major", 0x72e010, 0x0f, 4},     {"_version_minor", 0x72e014, 0x0f, 4},
    {"_version_variant", 0x6f4ea1, 0x0f, 2},   {"_osrelease", 0x6f4ea8, 0x0f, 2},
    {"_ostype", 0x6f4eaf, 0x0f, 2},            {"_osversion", 0x8e14c0, 0x0f, 13},
    {"_kmod", 0x8df888, 0x0f, 13},             {"_gLoadedKextSummaries", 0x8df870, 0x0f, 13},
    {"_processor_list", 0x8badb0, 0x0f, 13},   {"_master_processor", 0x8bada0, 0x0f, 13},
    {"_real_ncpus", 0x82a780, 0x0f, 9},        {"_cpu_data_ptr", 0x82a7a0, 0x0f, 9},
    {"_first_zone", 0x8bb7d8, 0x0f, 13},       {"_num_zones", 0x8bb7e0, 0x0f, 13},
    {"_zone_map", 0x8bb820, 0x0f, 13},         {"_debug_buf", 0x8b0c80, 0x0f, 13},
    {"_debug_buf_ptr", 0x801188, 0x0f, 9},     {"_debug_buf_size", 0x801180, 0x0f, 9},
    {"_panicstr", 0x8b3c80, 0x0f, 13},         {"_kernel_uuid", 0x8b3ca0, 0x0f, 13},
    {"_PE_state", 0x8e1260, 0x0f, 13},         {"_kernelBootArgs", 0x8a2340, 0x0e, 12},
    {"_mountlist", 0x8c9aa0, 0x0f, 13},        {"_last_kernel_symbol", 0x8fc000, 0x0e, 30},
    {"_lowGlo", 0x2bb000, 0x0f, 1},            {"_manual_pkt", 0x8b07c0, 0x0f, 13},
    {"_kdp", 0x8b0720, 0x0f, 13},              {"_kdp_flag", 0x8b0760, 0x0f, 13},
    {"_kdp_kernelversion_string", 0x8b0860, 0x0f, 13},
    {"_kernel_stack_size", 0x801440, 0x0f, 9}, {"_IdlePML4", 0x100000, 0x0f, 15},
    {"_machine_info", 0x8ba420, 0x0f, 13},     {"_hostname", 0x8d9940, 0x0f, 13},
    {"_sysctl__kern_children", 0x8d9f18, 0x0f, 13},
    {"_gIOServicePlane", 0x8dff08, 0x0f, 13},  {"_stext", 0x8c1a20, 0x0f, 13},
    {"_etext", 0x8c1a28, 0x0f, 13},            {"_sdata", 0x8c1a30, 0x0f, 13},
    {"_edata", 0x8c1a38, 0x0f, 13},            {"_end", 0x8c1a90, 0x0f, 13},
};

// A boot-to-panic call chain at the real function addresses (symbols.tsv), so disassembly and
// backtraces meet real instructions: kernel_bootstrap_thread -> kext_alloc -> kalloc ->
// kalloc_canblock -> panic -> Debugger (int3, where the debugger stop happens).
std::vector<FunctionSpec> lion_functions() {
  auto f = [](const char* name, uint64_t low, std::vector<std::string> calls, bool trap = false) {
    return FunctionSpec{name, kBase + low, std::move(calls), trap};
  };
  return {
      f("__start", 0x2b8000, {"_vstart"}),
      f("_vstart", 0x2b4820, {"_i386_init"}),
      f("_i386_init", 0x2b45d0, {}),
      f("_kernel_bootstrap_thread", 0x233160, {"_kext_alloc"}),
      f("_kext_alloc", 0x2a5180, {"_kalloc"}),
      f("_kalloc", 0x226740, {"_kalloc_canblock"}),
      f("_kalloc_canblock", 0x2264d0, {"_panic"}),
      f("_panic", 0x2204c0, {"_Debugger"}),
      f("_Debugger", 0x2c5c40, {}, true),
  };
}

constexpr Uuid kLionTestUuid = {0x3c, 0x1f, 0x5e, 0x2a, 0x9b, 0x40, 0x3d, 0x61,
                                0x8a, 0x77, 0x0e, 0x15, 0xc2, 0x4d, 0xa9, 0x10};
constexpr Uuid kMinimalTestUuid = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x46, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

}  // namespace

const char kLionVersion[] =
    "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; "
    "root:xnu-1699.24.23~1/RELEASE_X86_64";

TestKernelSpec lion_10_7_3_spec() {
  TestKernelSpec spec;
  spec.segments = lion_segments();
  for (const KeySymbol& k : kLionKeySymbols)
    spec.symbols.push_back({k.name, kBase + k.low_address, k.type, k.section, 0});
  spec.functions = lion_functions();
  spec.version = kLionVersion;
  spec.uuid = kLionTestUuid;
  spec.total_symbols = kLionSymbolCount;
  return spec;
}

TestKernelSpec minimal_kernel_spec() {
  TestKernelSpec spec;
  spec.segments = {
      seg("__TEXT", 0x200000, 0x4000,
          {sect("__text", 0x201000, 0x1000, kCode), sect("__const", 0x202000, 0x1000)}),
      seg("__DATA", 0x204000, 0x2000,
          {sect("__data", 0x204000, 0x1000), sect("__bss", 0x205000, 0x1000, kSZerofill)}),
      seg("__LAST", 0x206000, 0x1000, {sect("__last", 0x206000, 0x8)}),
  };
  spec.symbols = {
      {"__mh_execute_header", kBase + 0x200000, kNAbs | kNExt, 1},
      {"_version", kBase + 0x202000},
      {"_allproc", kBase + 0x204100},
      {"_kernproc", kBase + 0x204108},
      {"_zone_scratch", kBase + 0x205000, kNSect},
      {"_last_kernel_symbol", kBase + 0x206000, kNSect},
  };
  auto f = [](const char* name, uint64_t low, std::vector<std::string> calls, bool trap = false) {
    return FunctionSpec{name, kBase + low, std::move(calls), trap};
  };
  spec.functions = {f("__start", 0x201000, {"_kext_alloc"}), f("_kext_alloc", 0x201100, {"_kalloc"}),
                    f("_kalloc", 0x201200, {"_panic"}), f("_panic", 0x201300, {"_Debugger"}),
                    f("_Debugger", 0x201400, {}, true)};
  spec.version = kLionVersion;
  spec.uuid = kMinimalTestUuid;
  return spec;
}

}  // namespace kdp::macho
