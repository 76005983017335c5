// BSD-side structs of xnu-1699.24.23 x86_64 (identical in RELEASE and DEBUG: xnu-layouts.md §1.5).
// Offsets from xnu-layouts.md §2, §5, §7, §8 (DWARF of the 10.7.3 RELEASE kernel, cross-checked
// against the headers). struct proc is complete (for `print` later); the others hold the fields the
// kgmacros commands read.
#include "kgm/layouts_builder.h"

namespace kdp::kgm::layouts {
namespace {

// The BSD <sys/queue.h> and Mach <kern/queue.h> link structs, named once for every list.
void add_list_types(MapTypeProvider& p) {
  p.add(StructBuilder("list_entry", 16).add("le_next", 0, pointer_type("void")).add("le_prev", 8, pointer_type("void")).take());
  p.add(StructBuilder("list_head", 8).add("lh_first", 0, pointer_type("void")).take());
  p.add(StructBuilder("tailq_entry", 16).add("tqe_next", 0, pointer_type("void")).add("tqe_prev", 8, pointer_type("void")).take());
  p.add(StructBuilder("tailq_head", 16).add("tqh_first", 0, pointer_type("void")).add("tqh_last", 8, pointer_type("void")).take());
  p.add(StructBuilder("queue_entry", 16).add("next", 0, pointer_type("queue_entry")).add("prev", 8, pointer_type("queue_entry")).take());
}

void add_proc(MapTypeProvider& p) {
  StructBuilder proc("proc", 0x440);
  proc.add("p_list", 0x000, struct_type("list_entry", 16));
  proc.add("p_pid", 0x010, int_type("int", 4, true));
  proc.add("task", 0x018, pointer_type("void"));
  proc.add("p_pptr", 0x020, pointer_type("proc"));
  proc.add("p_ppid", 0x028, int_type("int", 4, true));
  proc.add("p_pgrpid", 0x02c, int_type("int", 4, true));
  proc.add("p_uid", 0x030, int_type("unsigned int", 4, false));
  proc.add("p_gid", 0x034, int_type("unsigned int", 4, false));
  proc.add("p_ruid", 0x038, int_type("unsigned int", 4, false));
  proc.add("p_rgid", 0x03c, int_type("unsigned int", 4, false));
  proc.add("p_svuid", 0x040, int_type("unsigned int", 4, false));
  proc.add("p_svgid", 0x044, int_type("unsigned int", 4, false));
  proc.add("p_uniqueid", 0x048, int_type("unsigned long long", 8, false));
  proc.add("p_mlock", 0x050, struct_type("lck_mtx_t", 16));
  proc.add("p_stat", 0x060, char_type());
  proc.add("p_shutdownstate", 0x061, char_type());
  proc.add("p_kdebug", 0x062, char_type());
  proc.add("p_btrace", 0x063, char_type());
  proc.add("p_pglist", 0x068, struct_type("list_entry", 16));
  proc.add("p_sibling", 0x078, struct_type("list_entry", 16));
  proc.add("p_children", 0x088, struct_type("list_head", 8));
  proc.add("p_uthlist", 0x090, struct_type("tailq_head", 16));
  proc.add("p_hash", 0x0a0, struct_type("list_entry", 16));
  proc.add("p_evlist", 0x0b0, struct_type("tailq_head", 16));
  proc.add("p_fdmlock", 0x0c0, struct_type("lck_mtx_t", 16));
  proc.add("p_ucred", 0x0d0, pointer_type("ucred"));
  proc.add("p_fd", 0x0d8, pointer_type("filedesc"));
  proc.add("p_stats", 0x0e0, pointer_type("pstats"));
  proc.add("p_limit", 0x0e8, pointer_type("plimit"));
  proc.add("p_sigacts", 0x0f0, pointer_type("sigacts"));
  proc.add("p_siglist", 0x0f8, int_type("int", 4, true));
  proc.add("p_slock", 0x100, struct_type("lck_spin_t", 80));
  proc.add("p_olimit", 0x150, pointer_type("plimit"));
  proc.add("p_flag", 0x158, int_type("unsigned int", 4, false));
  proc.add("p_lflag", 0x15c, int_type("unsigned int", 4, false));
  proc.add("p_listflag", 0x160, int_type("unsigned int", 4, false));
  proc.add("p_ladvflag", 0x164, int_type("unsigned int", 4, false));
  proc.add("p_refcount", 0x168, int_type("int", 4, true));
  proc.add("p_childrencnt", 0x16c, int_type("int", 4, true));
  proc.add("p_parentref", 0x170, int_type("int", 4, true));
  proc.add("p_oppid", 0x174, int_type("int", 4, true));
  proc.add("p_xstat", 0x178, int_type("unsigned int", 4, false));
  proc.add("p_realtimer", 0x180, struct_type("itimerval", 32));
  proc.add("p_rtime", 0x1a0, struct_type("timeval", 16));
  proc.add("p_vtimer_user", 0x1b0, struct_type("itimerval", 32));
  proc.add("p_vtimer_prof", 0x1d0, struct_type("itimerval", 32));
  proc.add("p_rlim_cpu", 0x1f0, struct_type("timeval", 16));
  proc.add("p_debugger", 0x200, int_type("int", 4, true));
  proc.add("sigwait", 0x204, int_type("int", 4, true));
  proc.add("sigwait_thread", 0x208, pointer_type("void"));
  proc.add("exit_thread", 0x210, pointer_type("void"));
  proc.add("p_vforkcnt", 0x218, int_type("int", 4, true));
  proc.add("p_vforkact", 0x220, pointer_type("void"));
  proc.add("p_fpdrainwait", 0x228, int_type("int", 4, true));
  proc.add("p_contproc", 0x22c, int_type("int", 4, true));
  proc.add("si_pid", 0x230, int_type("int", 4, true));
  proc.add("si_status", 0x234, int_type("unsigned int", 4, false));
  proc.add("si_code", 0x238, int_type("unsigned int", 4, false));
  proc.add("si_uid", 0x23c, int_type("unsigned int", 4, false));
  proc.add("vm_shm", 0x240, pointer_type("void"));
  proc.add("p_dtrace_argv", 0x248, int_type("unsigned long long", 8, false));
  proc.add("p_dtrace_envp", 0x250, int_type("unsigned long long", 8, false));
  proc.add("p_dtrace_sprlock", 0x258, struct_type("lck_mtx_t", 16));
  proc.add("p_dtrace_probes", 0x268, int_type("int", 4, true));
  proc.add("p_dtrace_count", 0x26c, int_type("unsigned int", 4, false));
  proc.add("p_dtrace_stop", 0x270, int_type("unsigned char", 1, false));
  proc.add("p_dtrace_ptss_pages", 0x278, pointer_type("dtrace_ptss_page"));
  proc.add("p_dtrace_ptss_free_list", 0x280, pointer_type("dtrace_ptss_page_entry"));
  proc.add("p_dtrace_helpers", 0x288, pointer_type("dtrace_helpers"));
  proc.add("p_dtrace_lazy_dofs", 0x290, pointer_type("dof_ioctl_data"));
  proc.add("p_argslen", 0x298, int_type("unsigned int", 4, false));
  proc.add("p_argc", 0x29c, int_type("int", 4, true));
  proc.add("user_stack", 0x2a0, int_type("unsigned long long", 8, false));
  proc.add("p_textvp", 0x2a8, pointer_type("vnode"));
  proc.add("p_textoff", 0x2b0, int_type("long long", 8, true));
  proc.add("p_sigmask", 0x2b8, int_type("unsigned int", 4, false));
  proc.add("p_sigignore", 0x2bc, int_type("unsigned int", 4, false));
  proc.add("p_sigcatch", 0x2c0, int_type("unsigned int", 4, false));
  proc.add("p_priority", 0x2c4, int_type("unsigned char", 1, false));
  proc.add("p_resv0", 0x2c5, int_type("unsigned char", 1, false));
  proc.add("p_nice", 0x2c6, char_type());
  proc.add("p_resv1", 0x2c7, int_type("unsigned char", 1, false));
  proc.add("p_mac_enforce", 0x2c8, int_type("int", 4, true));
  proc.add("p_comm", 0x2cc, array_type(char_type(), 17));
  proc.add("p_name", 0x2dd, array_type(char_type(), 33));
  proc.add("p_pgrp", 0x300, pointer_type("pgrp"));
  proc.add("p_csflags", 0x308, int_type("unsigned int", 4, false));
  proc.add("p_pcaction", 0x30c, int_type("unsigned int", 4, false));
  proc.add("p_uuid", 0x310, array_type(int_type("unsigned char", 1, false), 16));
  proc.add("p_aio_total_count", 0x320, int_type("int", 4, true));
  proc.add("p_aio_active_count", 0x324, int_type("int", 4, true));
  proc.add("p_aio_activeq", 0x328, struct_type("tailq_head", 16));
  proc.add("p_aio_doneq", 0x338, struct_type("tailq_head", 16));
  proc.add("p_klist", 0x348, struct_type("klist", 8));
  proc.add("p_ru", 0x350, pointer_type("rusage"));
  proc.add("p_sigwaitcnt", 0x358, int_type("int", 4, true));
  proc.add("p_signalholder", 0x360, pointer_type("thread"));
  proc.add("p_transholder", 0x368, pointer_type("thread"));
  proc.add("p_acflag", 0x370, int_type("unsigned short", 2, false));
  proc.add("p_lctx", 0x378, pointer_type("lctx"));
  proc.add("p_lclist", 0x380, struct_type("list_entry", 16));
  proc.add("p_threadstart", 0x390, int_type("unsigned long long", 8, false));
  proc.add("p_wqthread", 0x398, int_type("unsigned long long", 8, false));
  proc.add("p_pthsize", 0x3a0, int_type("int", 4, true));
  proc.add("p_targconc", 0x3a8, int_type("unsigned long long", 8, false));
  proc.add("p_wqptr", 0x3b0, pointer_type("void"));
  proc.add("p_wqsize", 0x3b8, int_type("int", 4, true));
  proc.add("p_wqiniting", 0x3bc, int_type("int", 4, true));
  proc.add("p_wqlock", 0x3c0, struct_type("lck_spin_t", 80));
  proc.add("p_start", 0x410, struct_type("timeval", 16));
  proc.add("p_rcall", 0x420, pointer_type("void"));
  proc.add("p_ractive", 0x428, int_type("int", 4, true));
  proc.add("p_idversion", 0x42c, int_type("int", 4, true));
  proc.add("p_pthhash", 0x430, pointer_type("void"));
  proc.add("p_dispatchqueue_offset", 0x438, int_type("unsigned long long", 8, false));
  p.add(proc.take());
}

void add_credentials(MapTypeProvider& p) {
  p.add(StructBuilder("posix_cred", 0x60)
            .add("cr_uid", 0x0, u32()).add("cr_ruid", 0x4, u32()).add("cr_svuid", 0x8, u32())
            .add("cr_ngroups", 0xc, int_type("short", 2, true)).add("cr_groups", 0x10, array_type(u32(), 16))
            .add("cr_rgid", 0x50, u32()).add("cr_svgid", 0x54, u32())
            .take());
  p.add(StructBuilder("ucred", 0x90)
            .add("cr_link", 0x0, struct_type("tailq_entry", 16)).add("cr_ref", 0x10, ulong())
            .add("cr_posix", 0x18, struct_type("posix_cred", 0x60)).add("cr_label", 0x78, pointer_type("label"))
            .add("cr_audit", 0x80, struct_type("au_session", 16))
            .take());
}

void add_uthread(MapTypeProvider& p) {
  p.add(StructBuilder("ksyn_waitq_element", 0x30)
            .add("kwe_list", 0x0, struct_type("tailq_entry", 16)).add("kwe_kwqqueue", 0x10, pointer_type("void"))
            .add("kwe_flags", 0x18, u32()).add("kwe_lockseq", 0x1c, u32()).add("kwe_count", 0x20, u32())
            .add("kwe_psynchretval", 0x24, u32()).add("kwe_uth", 0x28, pointer_type("void"))
            .take());
  p.add(StructBuilder("ksyn_wait_queue", 0x168)
            .add("kw_addr", 0x20, u64()).add("kw_flags", 0x40, i32()).add("kw_inqueue", 0x64, u32())
            .add("kw_fakecount", 0x68, u32()).add("kw_highseq", 0x6c, u32()).add("kw_lowseq", 0x70, u32())
            .add("kw_lastunlockseq", 0x80, u32()).add("kw_pre_rwwc", 0x94, u32())
            .take());
  p.add(StructBuilder("uthread", 0x2e0)
            .add("uu_arg", 0x0, array_type(u64(), 8)).add("uu_wchan", 0x110, pointer_type("char"))
            .add("uu_wmesg", 0x118, pointer_type("char")).add("uu_flag", 0x120, i32())
            .add("uu_proc", 0x128, pointer_type("proc")).add("uu_siglist", 0x148, u32())
            .add("uu_sigmask", 0x150, u32()).add("uu_context", 0x158, struct_type("vfs_context", 16))
            .add("uu_list", 0x170, struct_type("tailq_entry", 16)).add("uu_threadlist", 0x2a0, pointer_type("void"))
            .add("pth_name", 0x2a8, pointer_type("char")).add("uu_kwe", 0x2b0, struct_type("ksyn_waitq_element", 0x30))
            .take());
}

// kmod_info is #pragma pack(4): address and size are not 8-aligned (xnu-layouts.md §5).
void add_kmod_info(MapTypeProvider& p) {
  p.add(StructBuilder("kmod_info", 0xc4)
            .add("next", 0x0, pointer_type("kmod_info")).add("info_version", 0x8, i32())
            .add("id", 0xc, u32()).add("name", 0x10, array_type(char_type(), 64))
            .add("version", 0x50, array_type(char_type(), 64)).add("reference_count", 0x90, i32())
            .add("reference_list", 0x94, pointer_type("kmod_reference")).add("address", 0x9c, ulong())
            .add("size", 0xa4, ulong()).add("hdr_size", 0xac, ulong())
            .add("start", 0xb4, pointer_type("void")).add("stop", 0xbc, pointer_type("void"))
            .take());
}

void add_workqueue_and_boot(MapTypeProvider& p) {
  p.add(StructBuilder("workqueue", 0x2170)
            .add("wq_proc", 0x2000, pointer_type("proc")).add("wq_task", 0x2010, pointer_type("task"))
            .add("wq_flags", 0x2020, i32()).add("wq_itemcount", 0x2028, i32())
            .add("wq_nthreads", 0x204c, u32()).add("wq_thidlecount", 0x2050, u32())
            .take());
  p.add(StructBuilder("boot_args", 0x1000)
            .add("Revision", 0x0, u16()).add("Version", 0x2, u16()).add("efiMode", 0x4, u8())
            .add("debugMode", 0x5, u8()).add("CommandLine", 0x8, array_type(char_type(), 1024))
            .add("MemoryMap", 0x408, u32()).add("kaddr", 0x438, u32()).add("ksize", 0x43c, u32())
            .take());
  p.add(StructBuilder("PE_state", 0xa8)
            .add("initialized", 0x0, i32()).add("video", 0x8, struct_type("PE_Video", 144))
            .add("deviceTreeHead", 0x98, pointer_type("void")).add("bootArgs", 0xa0, pointer_type("void"))
            .take());
}

}  // namespace

void add_bsd_layouts(MapTypeProvider& p) {
  add_list_types(p);
  add_proc(p);
  add_credentials(p);
  add_uthread(p);
  add_kmod_info(p);
  add_workqueue_and_boot(p);
}

}  // namespace kdp::kgm::layouts
