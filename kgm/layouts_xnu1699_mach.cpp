// Mach-side structs of xnu-1699.24.23 x86_64. struct task is complete and the same in both
// configurations; thread, processor and zone move in DEBUG kernels, where MACH_LDEBUG grows every
// embedded simple lock from 8 to 72 bytes and ZONE_DEBUG adds a queue to struct zone
// (xnu-layouts.md §1.5, §4, §8). DEBUG offsets are computed (confidence C in that document).
#include "kgm/layouts_builder.h"

namespace kdp::kgm::layouts {
namespace {

// One 64-bit bitfield word (osfmk/kern/task.h); the I/O policy columns read hw_disk and hw_bg.
void add_process_policy(MapTypeProvider& p) {
  p.add(StructBuilder("process_policy", 8)
            .bits("apptype", 0, 8, 0, 4).bits("rfu1", 0, 8, 4, 4).bits("ru_power", 0, 8, 8, 4)
            .bits("ru_net", 0, 8, 12, 4).bits("ru_disk", 0, 8, 16, 4).bits("ru_cpu", 0, 8, 20, 4)
            .bits("ru_virtmem", 0, 8, 24, 4).bits("ru_wiredmem", 0, 8, 28, 4).bits("low_vm", 0, 8, 32, 4)
            .bits("rfu2", 0, 8, 36, 4).bits("hw_cpu", 0, 8, 40, 4).bits("hw_net", 0, 8, 44, 4)
            .bits("hw_gpu", 0, 8, 48, 4).bits("hw_disk", 0, 8, 52, 4).bits("hw_bg", 0, 8, 56, 8)
            .take());
}

void add_task(MapTypeProvider& p) {
  StructBuilder task("task", 0x388);
  task.add("lock", 0x000, struct_type("lck_mtx_t", 16));
  task.add("ref_count", 0x010, int_type("unsigned int", 4, false));
  task.add("active", 0x014, int_type("int", 4, true));
  task.add("halting", 0x018, int_type("int", 4, true));
  task.add("map", 0x020, pointer_type("_vm_map"));
  task.add("tasks", 0x028, struct_type("queue_entry", 16));
  task.add("user_data", 0x038, pointer_type("void"));
  task.add("threads", 0x040, struct_type("queue_entry", 16));
  task.add("pset_hint", 0x050, pointer_type("processor_set"));
  task.add("affinity_space", 0x058, pointer_type("affinity_space"));
  task.add("thread_count", 0x060, int_type("int", 4, true));
  task.add("active_thread_count", 0x064, int_type("unsigned int", 4, false));
  task.add("suspend_count", 0x068, int_type("int", 4, true));
  task.add("user_stop_count", 0x06c, int_type("int", 4, true));
  task.add("role", 0x070, enum_type("task_role", 4));
  task.add("priority", 0x074, int_type("int", 4, true));
  task.add("max_priority", 0x078, int_type("int", 4, true));
  task.add("sec_token", 0x07c, struct_type("security_token_t", 8));
  task.add("audit_token", 0x084, struct_type("audit_token_t", 32));
  task.add("total_user_time", 0x0a8, int_type("unsigned long long", 8, false));
  task.add("total_system_time", 0x0b0, int_type("unsigned long long", 8, false));
  task.add("vtimers", 0x0b8, int_type("unsigned int", 4, false));
  task.add("itk_lock_data", 0x0c0, struct_type("lck_mtx_t", 16));
  task.add("itk_self", 0x0d0, pointer_type("ipc_port"));
  task.add("itk_nself", 0x0d8, pointer_type("ipc_port"));
  task.add("itk_sself", 0x0e0, pointer_type("ipc_port"));
  task.add("exc_actions", 0x0e8, array_type(struct_type("exception_action", 24), 11));
  task.add("itk_host", 0x1f0, pointer_type("ipc_port"));
  task.add("itk_bootstrap", 0x1f8, pointer_type("ipc_port"));
  task.add("itk_seatbelt", 0x200, pointer_type("ipc_port"));
  task.add("itk_gssd", 0x208, pointer_type("ipc_port"));
  task.add("itk_task_access", 0x210, pointer_type("ipc_port"));
  task.add("itk_registered", 0x218, array_type(pointer_type("ipc_port"), 3));
  task.add("itk_space", 0x230, pointer_type("ipc_space"));
  task.add("semaphore_list", 0x238, struct_type("queue_entry", 16));
  task.add("lock_set_list", 0x248, struct_type("queue_entry", 16));
  task.add("semaphores_owned", 0x258, int_type("int", 4, true));
  task.add("lock_sets_owned", 0x25c, int_type("int", 4, true));
  task.add("wired_ledger_port", 0x260, pointer_type("ipc_port"));
  task.add("paged_ledger_port", 0x268, pointer_type("ipc_port"));
  task.add("priv_flags", 0x270, int_type("unsigned int", 4, false));
  task.add("i386_ldt", 0x278, pointer_type("user_ldt"));
  task.add("task_debug", 0x280, pointer_type("void"));
  task.add("faults", 0x288, int_type("int", 4, true));
  task.add("pageins", 0x28c, int_type("int", 4, true));
  task.add("cow_faults", 0x290, int_type("int", 4, true));
  task.add("messages_sent", 0x294, int_type("int", 4, true));
  task.add("messages_received", 0x298, int_type("int", 4, true));
  task.add("syscalls_mach", 0x29c, int_type("int", 4, true));
  task.add("syscalls_unix", 0x2a0, int_type("int", 4, true));
  task.add("c_switch", 0x2a4, int_type("unsigned int", 4, false));
  task.add("p_switch", 0x2a8, int_type("unsigned int", 4, false));
  task.add("ps_switch", 0x2ac, int_type("unsigned int", 4, false));
  task.add("tkm_private", 0x2b0, struct_type("zinfo_usage_store_t", 16));
  task.add("tkm_shared", 0x2c0, struct_type("zinfo_usage_store_t", 16));
  task.add("tkm_zinfo", 0x2d0, pointer_type("zinfo_usage_store_t"));
  task.add("bsd_info", 0x2d8, pointer_type("void"));
  task.add("shared_region", 0x2e0, pointer_type("vm_shared_region"));
  task.add("taskFeatures", 0x2e8, array_type(int_type("unsigned int", 4, false), 2));
  task.add("all_image_info_addr", 0x2f0, int_type("unsigned long long", 8, false));
  task.add("all_image_info_size", 0x2f8, int_type("unsigned long long", 8, false));
  task.add("t_chud", 0x300, int_type("unsigned int", 4, false));
  task.add("ext_actionstate", 0x308, struct_type("process_policy", 8));
  task.add("ext_policystate", 0x310, struct_type("process_policy", 8));
  task.add("actionstate", 0x318, struct_type("process_policy", 8));
  task.add("policystate", 0x320, struct_type("process_policy", 8));
  task.add("rsu_controldata", 0x328, array_type(int_type("unsigned long long", 8, false), 6));
  task.add("extmod_statistics", 0x358, struct_type("vm_extmod_statistics", 48));
  p.add(task.take());
}

// The fields the thread rows and stack walks read; `debug` picks the DEBUG column of §4.
void add_thread(MapTypeProvider& p, bool debug) {
  auto off = [debug](uint64_t release, uint64_t debug_offset) { return debug ? debug_offset : release; };
  p.add(StructBuilder("thread", off(0x540, 0x680))
            .add("links", 0x0, struct_type("queue_entry", 16))
            .add("wait_queue", 0x18, pointer_type("wait_queue"))
            .add("wait_event", 0x20, u64())
            .add("continuation", off(0x50, 0xd0), pointer_type("void"))
            .add("kernel_stack", off(0x70, 0xf0), ulong())
            .add("reserved_stack", off(0x78, 0xf8), ulong())
            .add("state", off(0x80, 0x100), i32())
            .add("sched_pri", off(0x90, 0x110), i32())
            .add("priority", off(0x94, 0x114), i32())
            .add("last_processor", off(0x108, 0x188), pointer_type("processor"))
            .add("threads", off(0x2c0, 0x3c0), struct_type("queue_entry", 16))
            .add("task_threads", off(0x2d0, 0x3d0), struct_type("queue_entry", 16))
            .add("task", off(0x348, 0x488), pointer_type("task"))
            .add("map", off(0x350, 0x490), pointer_type("_vm_map"))
            .bits("active", off(0x374, 0x4b4), 4, 0, 1)
            .bits("started", off(0x374, 0x4b4), 4, 1, 1)
            .bits("static_param", off(0x374, 0x4b4), 4, 2, 1)
            .add("uthread", off(0x4b8, 0x5f8), pointer_type("void"))
            .add("thread_id", off(0x4f0, 0x630), u64())
            .add("ext_actionstate", off(0x520, 0x660), struct_type("process_policy", 8))
            .add("actionstate", off(0x530, 0x670), struct_type("process_policy", 8))
            .take());
  p.add(StructBuilder("x86_kernel_state", 0x40)
            .add("k_rbx", 0x0, u64()).add("k_rsp", 0x8, u64()).add("k_rbp", 0x10, u64())
            .add("k_r12", 0x18, u64()).add("k_r13", 0x20, u64()).add("k_r14", 0x28, u64())
            .add("k_r15", 0x30, u64()).add("k_rip", 0x38, u64())
            .take());
}

void add_processor(MapTypeProvider& p, bool debug) {
  uint64_t grow = debug ? 0x40 : 0;  // quantum_timer (a timer_call) grows by 0x40 in DEBUG
  p.add(StructBuilder("processor", 0x1ac0 + grow)
            .add("processor_queue", 0x0, struct_type("queue_entry", 16)).add("state", 0x10, i32())
            .add("active_thread", 0x18, pointer_type("thread")).add("next_thread", 0x20, pointer_type("thread"))
            .add("idle_thread", 0x28, pointer_type("thread")).add("processor_set", 0x30, pointer_type("processor_set"))
            .add("current_pri", 0x38, i32()).add("cpu_id", 0x40, i32())
            .add("processor_list", 0x1938 + grow, pointer_type("processor"))
            .take());
}

void add_zone(MapTypeProvider& p, bool debug) {
  uint64_t grow = debug ? 0x10 : 0;  // ZONE_DEBUG: queue_head_t active_zones after zone_name
  StructBuilder zone("zone", 0x210 + grow);
  zone.add("count", 0x0, i32()).add("free_elements", 0x8, ulong())
      .add("cur_size", 0x188, ulong()).add("max_size", 0x190, ulong())
      .add("elem_size", 0x198, ulong()).add("alloc_size", 0x1a0, ulong()).add("sum_count", 0x1a8, u64())
      .bits("exhaustible", 0x1b0, 4, 0, 1).bits("collectable", 0x1b0, 4, 1, 1)
      .bits("expandable", 0x1b0, 4, 2, 1).bits("allows_foreign", 0x1b0, 4, 3, 1)
      .bits("doing_alloc", 0x1b0, 4, 4, 1).bits("waiting", 0x1b0, 4, 5, 1)
      .bits("async_pending", 0x1b0, 4, 6, 1).bits("zleak_on", 0x1b0, 4, 7, 1)
      .bits("caller_acct", 0x1b0, 4, 8, 1).bits("doing_gc", 0x1b0, 4, 9, 1)
      .bits("noencrypt", 0x1b0, 4, 10, 1)
      .add("index", 0x1b4, i32()).add("next_zone", 0x1b8, pointer_type("zone"))
      .add("zone_name", 0x1f8, pointer_type("char"));
  if (debug) zone.add("active_zones", 0x200, struct_type("queue_entry", 16));
  zone.add("num_allocs", 0x200 + grow, u32()).add("num_frees", 0x204 + grow, u32())
      .add("zleak_capture", 0x208 + grow, u32());
  p.add(zone.take());
}

}  // namespace

void add_mach_layouts(MapTypeProvider& p, bool debug) {
  add_process_policy(p);
  add_task(p);
  add_thread(p, debug);
  add_processor(p, debug);
  add_zone(p, debug);
}

}  // namespace kdp::kgm::layouts
