/* xnu-shaped declarations for the DWARF tests, written from the struct proc table of
 * xnu-layouts.md §2 (10.7.3 RELEASE x86_64): clang lays this struct out at the offsets that table
 * gives, so the DWARF tests can compare what the dSYM says with the built-in layouts. Not xnu's
 * text: the same fields and types, with the typedefs and queue macros xnu uses. */
#ifndef KDPCTL_TEST_XNU_PROC_H
#define KDPCTL_TEST_XNU_PROC_H

typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int sigset_t;
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned long long u_int64_t;
typedef unsigned long vm_offset_t;
typedef unsigned long vm_size_t;
typedef unsigned int boolean_t;

#define LIST_ENTRY(type) struct { struct type *le_next; struct type **le_prev; }
#define LIST_HEAD(name, type) struct name { struct type *lh_first; }
#define TAILQ_HEAD(name, type) struct name { struct type *tqh_first; struct type **tqh_last; }

typedef struct { unsigned long opaque[2]; } lck_mtx_t;
typedef struct { unsigned long opaque[10]; } lck_spin_t;
struct timeval { long tv_sec; int tv_usec; };
struct itimerval { struct timeval it_interval; struct timeval it_value; };
struct klist { struct knote *slh_first; };

struct proc {
  LIST_ENTRY(proc) p_list;
  pid_t p_pid;
  void *task;
  struct proc *p_pptr;
  pid_t p_ppid;
  pid_t p_pgrpid;
  uid_t p_uid;
  gid_t p_gid;
  uid_t p_ruid;
  gid_t p_rgid;
  uid_t p_svuid;
  gid_t p_svgid;
  u_int64_t p_uniqueid;
  lck_mtx_t p_mlock;
  char p_stat;
  char p_shutdownstate;
  char p_kdebug;
  char p_btrace;
  LIST_ENTRY(proc) p_pglist;
  LIST_ENTRY(proc) p_sibling;
  LIST_HEAD(, proc) p_children;
  TAILQ_HEAD(, uthread) p_uthlist;
  LIST_ENTRY(proc) p_hash;
  TAILQ_HEAD(, eventqelt) p_evlist;
  lck_mtx_t p_fdmlock;
  struct ucred *p_ucred;
  struct filedesc *p_fd;
  struct pstats *p_stats;
  struct plimit *p_limit;
  struct sigacts *p_sigacts;
  sigset_t p_siglist;
  lck_spin_t p_slock;
  struct plimit *p_olimit;
  unsigned int p_flag;
  unsigned int p_lflag;
  unsigned int p_listflag;
  unsigned int p_ladvflag;
  int p_refcount;
  int p_childrencnt;
  int p_parentref;
  pid_t p_oppid;
  unsigned int p_xstat;
  struct itimerval p_realtimer;
  struct timeval p_rtime;
  struct itimerval p_vtimer_user;
  struct itimerval p_vtimer_prof;
  struct timeval p_rlim_cpu;
  int p_debugger;
  int sigwait;
  void *sigwait_thread;
  void *exit_thread;
  int p_vforkcnt;
  void *p_vforkact;
  int p_fpdrainwait;
  int p_contproc;
  pid_t si_pid;
  unsigned int si_status;
  unsigned int si_code;
  unsigned int si_uid;
  void *vm_shm;
  u_int64_t p_dtrace_argv;
  u_int64_t p_dtrace_envp;
  lck_mtx_t p_dtrace_sprlock;
  int p_dtrace_probes;
  unsigned int p_dtrace_count;
  u_char p_dtrace_stop;
  struct dtrace_ptss_page *p_dtrace_ptss_pages;
  struct dtrace_ptss_page_entry *p_dtrace_ptss_free_list;
  struct dtrace_helpers *p_dtrace_helpers;
  struct dof_ioctl_data *p_dtrace_lazy_dofs;
  unsigned int p_argslen;
  int p_argc;
  u_int64_t user_stack;
  struct vnode *p_textvp;
  long long p_textoff;
  sigset_t p_sigmask;
  sigset_t p_sigignore;
  sigset_t p_sigcatch;
  u_char p_priority;
  u_char p_resv0;
  char p_nice;
  u_char p_resv1;
  int p_mac_enforce;
  char p_comm[17];
  char p_name[33];
  struct pgrp *p_pgrp;
  unsigned int p_csflags;
  unsigned int p_pcaction;
  u_char p_uuid[16];
  int p_aio_total_count;
  int p_aio_active_count;
  TAILQ_HEAD(, aio_workq_entry) p_aio_activeq;
  TAILQ_HEAD(, aio_workq_entry) p_aio_doneq;
  struct klist p_klist;
  struct rusage *p_ru;
  int p_sigwaitcnt;
  struct thread *p_signalholder;
  struct thread *p_transholder;
  u_short p_acflag;
  struct lctx *p_lctx;
  LIST_ENTRY(proc) p_lclist;
  u_int64_t p_threadstart;
  u_int64_t p_wqthread;
  int p_pthsize;
  u_int64_t p_targconc;
  void *p_wqptr;
  int p_wqsize;
  int p_wqiniting;
  lck_spin_t p_wqlock;
  struct timeval p_start;
  void *p_rcall;
  int p_ractive;
  int p_idversion;
  void *p_pthhash;
  u_int64_t p_dispatchqueue_offset;
};

/* The other shapes the DWARF reader must handle: bitfields, a union, an anonymous struct and
 * union, a multi-dimensional array, an enum, a function pointer, const/volatile. */
enum kdp_color { KDP_RED, KDP_GREEN = 5, KDP_BLUE };
typedef enum kdp_color kdp_color_t;
struct kdp_shapes {
  unsigned int low : 3;
  unsigned int mid : 13;
  int high : 16;
  union { int as_int; float as_float; } word;
  struct { short a; short b; };
  union { long anon_l; char anon_c; };
  int grid[2][3];
  kdp_color_t color;
  int (*callback)(int, void *);
  const volatile unsigned long flags;
  struct proc *owner;
};

int kext_alloc(vm_offset_t *_addr, vm_size_t size, boolean_t fixed);

#endif
