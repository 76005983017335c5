// The small structs that struct proc, task, ucred, uthread and PE_state hold by value: locks as BSD
// sees them (opaque words), timevals, audit and security tokens, exception actions, statistics.
// Without them `print` showed `p_mlock = <incomplete type>`. Offsets and sizes from
// xnu-layouts.md §1.2 and the 10.7.3 DWARF (the kgm.inputs test compares them with the real vtypes).
#include "kgm/layouts_builder.h"

namespace kdp::kgm::layouts {
namespace {

TypeRef i64() { return int_type("long long", 8, true); }
TypeRef slong() { return int_type("long", 8, true); }

void add_locks(MapTypeProvider& p) {
  // osfmk/i386/locks.h outside MACH_KERNEL_PRIVATE: `unsigned long opaque[2]` and `[10]`.
  p.add(StructBuilder("lck_mtx_t", 16).add("opaque", 0x0, array_type(ulong(), 2)).take());
  p.add(StructBuilder("lck_spin_t", 80).add("opaque", 0x0, array_type(ulong(), 10)).take());
}

void add_time_and_lists(MapTypeProvider& p) {
  p.add(StructBuilder("timeval", 16).add("tv_sec", 0x0, slong()).add("tv_usec", 0x8, i32()).take());
  p.add(StructBuilder("itimerval", 32)
            .add("it_interval", 0x0, struct_type("timeval", 16)).add("it_value", 0x10, struct_type("timeval", 16))
            .take());
  p.add(StructBuilder("klist", 8).add("slh_first", 0x0, pointer_type("knote")).take());
  p.add(StructBuilder("vfs_context", 16)
            .add("vc_thread", 0x0, pointer_type("thread")).add("vc_ucred", 0x8, pointer_type("ucred"))
            .take());
}

void add_tokens(MapTypeProvider& p) {
  p.add(StructBuilder("au_mask", 8).add("am_success", 0x0, u32()).add("am_failure", 0x4, u32()).take());
  p.add(StructBuilder("au_session", 16)
            .add("as_aia_p", 0x0, pointer_type("auditinfo_addr")).add("as_mask", 0x8, struct_type("au_mask", 8))
            .take());
  // mach/message.h: typedef struct { unsigned int val[2]; } security_token_t; val[8] for audit.
  p.add(StructBuilder("security_token_t", 8).add("val", 0x0, array_type(u32(), 2)).take());
  p.add(StructBuilder("audit_token_t", 32).add("val", 0x0, array_type(u32(), 8)).take());
}

void add_task_parts(MapTypeProvider& p) {
  p.add(StructBuilder("exception_action", 24)
            .add("port", 0x0, pointer_type("ipc_port")).add("flavor", 0x8, i32())
            .add("behavior", 0xc, i32()).add("privileged", 0x10, i32())
            .take());
  p.add(StructBuilder("zinfo_usage_store_t", 16).add("alloc", 0x0, u64()).add("free", 0x8, u64()).take());
  p.add(StructBuilder("vm_extmod_statistics", 48)
            .add("task_for_pid_count", 0x0, i64()).add("task_for_pid_caller_count", 0x8, i64())
            .add("thread_creation_count", 0x10, i64()).add("thread_creation_caller_count", 0x18, i64())
            .add("thread_set_state_count", 0x20, i64()).add("thread_set_state_caller_count", 0x28, i64())
            .take());
}

void add_video(MapTypeProvider& p) {
  p.add(StructBuilder("PE_Video", 144)
            .add("v_baseAddr", 0x0, ulong()).add("v_rowBytes", 0x8, ulong()).add("v_width", 0x10, ulong())
            .add("v_height", 0x18, ulong()).add("v_depth", 0x20, ulong()).add("v_display", 0x28, ulong())
            .add("v_pixelFormat", 0x30, array_type(char_type(), 64)).add("v_offset", 0x70, ulong())
            .add("v_length", 0x78, ulong()).add("v_rotate", 0x80, u8()).add("v_scale", 0x81, u8())
            .add("reserved1", 0x82, array_type(char_type(), 2)).add("reserved2", 0x88, slong())
            .take());
}

}  // namespace

void add_small_layouts(MapTypeProvider& p) {
  add_locks(p);
  add_time_and_lists(p);
  add_tokens(p);
  add_task_parts(p);
  add_video(p);
}

}  // namespace kdp::kgm::layouts
