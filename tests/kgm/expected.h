// Expected kgmacros output, composed in the test from the macros' own format strings
// (kgmacros.md §3 / xnu-1699 kgmacros), independently of the renderers under test.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>

namespace kgm_test {

inline std::string f(const char* format, ...) __attribute__((format(printf, 1, 2)));
inline std::string f(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

inline std::string P(unsigned long long v) { return f("0x%016llx", v); }  // showptr
inline const std::string pad = "        ";                                 // showptrhdrpad

inline const std::string kTaskHeader =
    "task                vm_map              ipc_space          #acts   pid  process             "
    "io_policy    wq_state   command\n";
inline const std::string kThreadHeader =
    "                    thread                thread_id           processor            pri io_policy   "
    "state    wait_queue          wait_event\n";
inline const std::string kKmodHeader =
    "kmod_info           address             size                id    refs     version  name\n";
inline const std::string kZoneHeader =
    "ZONE                   COUNT   TOT_SZ   MAX_SZ   ELT_SZ ALLOC_SZ         TOT_ALLOC         TOT_FREE NAME\n";

// showtaskint + showprocint for a task with a proc; `policy` is the printed io_policy (6 blanks
// when none), `wq` the printed wq_state (11 blanks when none).
inline std::string task_row(unsigned long long task, int index, int acts, int pid, unsigned long long proc,
                            bool rage, const std::string& policy, const std::string& wq, const std::string& comm) {
  unsigned long long map = 0xffffff8006d1a000ull + index * 0x1000, space = 0xffffff8006e9b000ull + index * 0x1000;
  return P(task) + "  " + P(map) + "  " + P(space) + f(" %5d ", acts) + f("%5d  ", pid) + P(proc) +
         (rage ? "  RAGE " : "       ") + policy + wq + f("  %s\n", comm.c_str());
}

inline std::string null_proc_task_row(unsigned long long task, int index, int acts) {
  unsigned long long map = 0xffffff8006d1a000ull + index * 0x1000, space = 0xffffff8006e9b000ull + index * 0x1000;
  return P(task) + "  " + P(map) + "  " + P(space) + f(" %5d ", acts) + "  *0*  " + P(0) + "  --\n";
}

inline const std::string kNoPolicy = "      ", kNoWq = "           ";

}  // namespace kgm_test
