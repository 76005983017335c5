#include "kgm/thread_rows.h"

#include "kgm/report.h"
#include "kgm/task_rows.h"
#include "kgm/walk.h"

namespace kdp::kgm {
namespace {

constexpr std::string_view kPad = "        ";
constexpr size_t kMaxStackFrames = 128;  // showactint's $kgm_actint_framecount bound
constexpr uint64_t kX86KernelStateSize = 0x40;
constexpr uint64_t kMaxKernelString = 1024;

struct Uthread {
  bool rage = false;
  std::optional<std::string> wait_message, thread_name;
  uint64_t kwq = 0;
  uint32_t lockseq = 0, retval = 0;
};

Expected<std::optional<std::string>> optional_string(const KernelContext& ctx, uint64_t address) {
  if (address == 0) return std::optional<std::string>();
  KDP_TRY(CString s, read_c_string(ctx.memory, address, kMaxKernelString));
  return std::optional<std::string>(std::move(s.text));
}

Expected<Uthread> read_uthread(const KernelContext& ctx, uint64_t address) {
  KDP_TRY(Object u, read_object(ctx.memory, ctx.types, "uthread", address,
                                {"uu_wmesg", "uu_flag", "pth_name", "uu_kwe.kwe_kwqqueue",
                                 "uu_kwe.kwe_lockseq", "uu_kwe.kwe_psynchretval"}));
  Uthread ut;
  KDP_TRY(uint64_t flag, u.u("uu_flag"));
  ut.rage = (flag & 0x400) != 0;
  KDP_TRY(uint64_t wmesg, u.u("uu_wmesg"));
  KDP_TRY(ut.wait_message, optional_string(ctx, wmesg));
  KDP_TRY(uint64_t name, u.u("pth_name"));
  KDP_TRY(ut.thread_name, optional_string(ctx, name));
  if (ut.thread_name && ut.thread_name->empty()) ut.thread_name.reset();
  KDP_TRY(ut.kwq, u.u("uu_kwe.kwe_kwqqueue"));
  KDP_TRY(uint64_t lockseq, u.u("uu_kwe.kwe_lockseq"));
  KDP_TRY(uint64_t retval, u.u("uu_kwe.kwe_psynchretval"));
  ut.lockseq = static_cast<uint32_t>(lockseq), ut.retval = static_cast<uint32_t>(retval);
  return ut;
}

Expected<KwqInfo> read_kwq(const KernelContext& ctx, const Uthread& ut) {
  static constexpr std::string_view kFields[] = {"kw_addr", "kw_inqueue", "kw_fakecount", "kw_highseq",
                                                 "kw_lowseq", "kw_flags", "kw_lastunlockseq", "kw_pre_rwwc"};
  KDP_TRY(Object q, read_object(ctx.memory, ctx.types, "ksyn_wait_queue", ut.kwq, kFields));
  KwqInfo k{ut.kwq, ut.lockseq, ut.retval};
  KDP_TRY(k.kw_addr, q.u("kw_addr"));
  uint32_t* values[] = {&k.inqueue, &k.fakecount, &k.highseq, &k.lowseq, &k.flags, &k.lastunlock, &k.pre_rwwc};
  for (size_t i = 0; i < 7; ++i) {
    KDP_TRY(uint64_t v, q.u(kFields[i + 1]));
    *values[i] = static_cast<uint32_t>(v);
  }
  return k;
}

// A return address as showactint names it: outside the kernel through the kmod list.
Expected<std::string> frame_name(const KernelContext& ctx, KextNamer& kexts, uint64_t address) {
  if (!ctx.symbols.is_kernel_address(address)) return kexts.showkmodaddr(address);
  return output_address(ctx, address);
}

// showactint's x86_64 walk, with its exact loop condition.
Status walk_stack(const KernelContext& ctx, KextNamer& kexts, ThreadStack& s) {
  KDP_TRY(uint64_t size_global, ctx.global("kernel_stack_size"));
  KDP_TRY(uint64_t stack_size, read_u64(ctx.memory, size_global, "kernel_stack_size"));
  uint64_t state = s.kernel_stack + stack_size - kX86KernelStateSize;
  KDP_TRY(Object k, read_object(ctx.memory, ctx.types, "x86_kernel_state", state, {"k_rbp"}));
  KDP_TRY(uint64_t sp, k.u("k_rbp"));
  s.stacktop = sp;
  uint64_t prev = sp - 16;
  uint64_t stack_end = s.kernel_stack + stack_size;
  while (sp != 0 && (sp & 3) == 0 && sp != prev &&
         ((sp ^ prev) < 0x2000 || (sp < stack_end && sp > s.kernel_stack)) &&
         s.frames.size() < kMaxStackFrames) {
    KDP_TRY(uint64_t ret, read_u64(ctx.memory, sp + 8, "return address"));
    KDP_TRY(std::string name, frame_name(ctx, kexts, ret));
    s.frames.push_back({sp, ret, std::move(name)});
    prev = sp;
    KDP_TRY(sp, read_u64(ctx.memory, sp, "saved frame pointer"));
  }
  s.stackbottom = prev;
  return {};
}

Expected<ThreadStack> read_stack(const KernelContext& ctx, KextNamer& kexts, const Object& thread,
                                 const std::optional<Uthread>& ut) {
  ThreadStack s;
  KDP_TRY(s.kernel_stack, thread.u("kernel_stack"));
  if (s.kernel_stack == 0) {
    KDP_TRY(uint64_t continuation, thread.u("continuation"));
    s.continuation = output_address(ctx, continuation);
    return s;
  }
  s.has_uthread = ut.has_value();
  if (ut && ut->kwq != 0) {
    KDP_TRY(s.kwq, read_kwq(ctx, *ut));
  }
  KDP_TRY(s.reserved_stack, thread.u("reserved_stack"));
  KDP_TRY_STATUS(walk_stack(ctx, kexts, s));
  return s;
}

std::string render_kwq(const KwqInfo& k) {
  std::string s = cformat("              kwq_lockcount:0x%x; kwq_retval:0x%x", k.lockseq, k.retval);
  s += "\n                ";
  s += std::string("        kwq     ") + std::string(kPad) + "    kwqaddr     " + std::string(kPad);
  s += "  inqueue  fakecount  highseq  lowseq   flags   lastunlock    p_rwwc\n          ";
  s += "              " + showptr(k.kwq) + "  " + showptr(k.kw_addr) + "   ";
  s += cformat("  %d      ", static_cast<int>(k.inqueue)) + cformat("    %d  ", static_cast<int>(k.fakecount));
  s += cformat("     0x%x  ", k.highseq) + cformat("  0x%x  ", k.lowseq) + cformat("  0x%x  ", k.flags);
  s += cformat("  0x%x  ", k.lastunlock) + cformat("    0x%x  ", k.pre_rwwc) + "\n";
  return s + "          ";
}

std::string render_stack(const ThreadStack& s) {
  std::string lead = "\n          " + std::string(kPad) + "      ";
  if (s.kernel_stack == 0) return lead + "continuation=" + s.continuation;
  std::string out;
  if (s.has_uthread) out += "\n          ";
  if (s.kwq) out += render_kwq(*s.kwq);
  if (s.reserved_stack != 0) out += lead + "reserved_stack=" + showptr(s.reserved_stack);
  out += lead + "kernel_stack=" + showptr(s.kernel_stack);
  out += lead + "stacktop=" + showptr(s.stacktop);
  for (const StackFrame& f : s.frames) out += lead + showptr(f.frame) + "  " + f.name;
  return out + lead + "stackbottom=" + showptr(s.stackbottom);
}

}  // namespace

std::string output_address(const KernelContext& ctx, uint64_t address) {
  std::string s = cformat("0x%llx", static_cast<unsigned long long>(address));
  auto sym = ctx.symbols.symbolize(address);
  if (!sym) return s;
  if (sym->offset == 0) return s + " <" + sym->name + ">";
  return s + " <" + sym->name + cformat("+%llu>", static_cast<unsigned long long>(sym->offset));
}

std::string thread_header() {
  std::string p(kPad);
  return "          " + p + "  thread    " + p + "    thread_id " + p + "  processor " + p +
         "   pri io_policy   state    wait_queue" + p + "  wait_event\n";
}

Expected<ThreadRow> read_thread_row(const KernelContext& ctx, KextNamer& kexts, const Object& thread, StackMode mode) {
  ThreadRow r;
  r.thread = thread.address();
  KDP_TRY(uint64_t static_param, thread.u("static_param"));
  r.workqueue_thread = static_param != 0;
  KDP_TRY(r.thread_id, thread.u("thread_id"));
  KDP_TRY(r.last_processor, thread.u("last_processor"));
  KDP_TRY(int64_t pri, thread.i("sched_pri"));
  r.sched_pri = static_cast<int32_t>(pri);
  KDP_TRY(uint64_t uthread, thread.u("uthread"));
  std::optional<Uthread> ut;
  if (uthread != 0) {
    KDP_TRY(ut, read_uthread(ctx, uthread));
    r.has_uthread = true;
    r.rage = ut->rage;
    KDP_TRY(r.io_policy, io_policy(thread));
    r.wait_message = ut->wait_message;
    r.thread_name = ut->thread_name;
  }
  KDP_TRY(uint64_t state, thread.u("state"));
  r.state = static_cast<uint32_t>(state);
  KDP_TRY(r.wait_queue, thread.u("wait_queue"));
  KDP_TRY(r.wait_event, thread.u("wait_event"));
  if (r.state & 1) {
    auto last = ctx.symbols.address_of("last_kernel_symbol");
    bool by_kext = last && r.wait_event > *last && mode != StackMode::kStackKernelSymbols;
    if (by_kext) {
      KDP_TRY(r.wait_event_name, kexts.showkmodaddr(r.wait_event));
    } else {
      r.wait_event_name = output_address(ctx, r.wait_event);
    }
  }
  if (mode != StackMode::kNone) {
    KDP_TRY(r.stack, read_stack(ctx, kexts, thread, ut));
  }
  return r;
}

std::string render_text(const ThreadRow& r) {
  std::string s = "            " + std::string(kPad) + showptr(r.thread) + (r.workqueue_thread ? "[WQ]" : "    ");
  s += cformat("  0x%llx   ", static_cast<unsigned long long>(r.thread_id)) + showptr(r.last_processor);
  s += cformat("   %3d ", r.sched_pri);
  if (r.has_uthread) {
    s += r.rage ? "RAGE " : "     ";
    std::string_view policy = io_policy_name(r.io_policy);
    s += policy.empty() ? "        " : std::string(policy);
  }
  static constexpr char kLetters[] = "IPAHURSW";
  for (int bit = 7; bit >= 0; --bit)
    if (r.state & (1u << bit)) s += kLetters[7 - bit];
  if (r.state & 1) {
    s += "\t    " + showptr(r.wait_queue) + "  " + r.wait_event_name;
    if (r.wait_message) s += "\t \"" + *r.wait_message + "\"";
  }
  if (r.thread_name) s += "\n\t\tThread Name: " + *r.thread_name;
  if (r.stack) s += render_stack(*r.stack);
  return s + "\n";
}

void write_json(JsonWriter& j, const ThreadRow& r) {
  j.field("type", "thread").hex_field("thread", r.thread).field("workqueue_thread", r.workqueue_thread);
  j.hex_field("thread_id", r.thread_id).hex_field("last_processor", r.last_processor);
  j.field("sched_pri", r.sched_pri).field("state", r.state).hex_field("wait_queue", r.wait_queue);
  j.hex_field("wait_event", r.wait_event).field("wait_message", r.wait_message);
  j.field("thread_name", r.thread_name);
  if (r.has_uthread) j.field("rage", r.rage).field("io_policy", r.io_policy);
  if (!r.stack) return;
  const ThreadStack& s = *r.stack;
  j.key("stack").begin_object().hex_field("kernel_stack", s.kernel_stack);
  if (s.kernel_stack == 0) {
    j.field("continuation", s.continuation).end_object();
    return;
  }
  j.hex_field("reserved_stack", s.reserved_stack).hex_field("stacktop", s.stacktop);
  j.key("frames").begin_array();
  for (const StackFrame& f : s.frames)
    j.begin_object().hex_field("frame", f.frame).hex_field("return", f.return_address).field("name", f.name).end_object();
  j.end_array().hex_field("stackbottom", s.stackbottom).end_object();
}

}  // namespace kdp::kgm
