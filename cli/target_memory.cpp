#include "cli/target_memory.h"

#include <ostream>

#include "cli/frame_selection.h"
#include "cli/session_open.h"
#include "kgm/core_memory.h"
#include "kgm/file_memory.h"

namespace kdp::cli {
namespace {

std::optional<std::string> kernel_path(const Invocation& inv, const State& state) {
  return inv.global.kernel ? inv.global.kernel : state.kernel;
}

void report_requests(const Invocation& inv, uint64_t requests, const std::string& detail) {
  if (!inv.global.verbose) return;
  inv.err << "kdpctl: " << requests << " KDP request" << (requests == 1 ? "" : "s") << " (" << detail << ")\n";
}

Status run_offline(const Invocation& inv, const State& state, kgm::Memory& memory, MemorySource source,
                   RegisterSource registers, const TargetWork& work) {
  SelectedRegisters selected = select_registers(state, std::move(registers), memory);
  KDP_TRY(auto hooks, load_kernel_hooks(inv, state,
                                        HookTarget{nullptr, &memory, selected.frame, source == MemorySource::kKernelFile}));
  TargetView view{source, memory, *hooks, selected.frame, nullptr, nullptr, selected.thread, selected.cpu};
  Status done = work(view);
  const kgm::MemoryStats s = memory.stats();
  report_requests(inv, 0, memory.source() + ": " + std::to_string(s.requests) + " reads");
  return done;
}

Status run_core(const Invocation& inv, const State& state, const TargetWork& work) {
  KDP_TRY(auto core, kgm::CoreMemory::open(*inv.global.core));
  kgm::CoreMemory* raw = core.get();
  RegisterSource registers = [raw]() -> Expected<wire::X86ThreadState64> {
    if (raw->threads().empty()) return Error(ErrorKind::kNotFound, raw->source() + " holds no thread state");
    return raw->threads().front();
  };
  return run_offline(inv, state, *core, MemorySource::kCore, std::move(registers), work);
}

Status run_kernel_file(const Invocation& inv, const State& state, const TargetWork& work) {
  const std::string path = *kernel_path(inv, state);
  KDP_TRY(auto file, kgm::FileMemory::open(path));
  RegisterSource registers = []() -> Expected<wire::X86ThreadState64> {
    return usage_error("The program has no registers now (no target is attached: give --target HOST or --core FILE)");
  };
  return run_offline(inv, state, *file, MemorySource::kKernelFile, std::move(registers), work);
}

Status run_live(const Invocation& inv, State& state, const TargetWork& work) {
  uint64_t requests = 0;  // over every session open_session starts
  uint64_t hits = 0;
  const SessionWork session_work = [&](client::Session& session) -> Status {
    // The agent's cache may outlive this command (hits count from here); a fresh one starts at 0.
    const std::shared_ptr<kgm::Memory> cached = inv.sessions().memory(session);
    const uint64_t hits_before = cached->stats().cache_hits;
    RegisterSource cpu = [&session] { return session.read_registers(); };
    SelectedRegisters selected = select_registers(state, std::move(cpu), *cached);
    Status done = [&]() -> Status {
      KDP_TRY(auto hooks, load_kernel_hooks(inv, state, HookTarget{&session.target(), cached.get(), selected.frame}));
      TargetView view{MemorySource::kLive, *cached, *hooks, selected.frame, &session, &session.target(),
                      selected.thread, selected.cpu};
      return work(view);
    }();
    requests += session.stats().requests;  // a fresh session: its handshake included
    hits += cached->stats().cache_hits - hits_before;
    return done;
  };
  auto session = open_session(inv, state, AttachKind::kReattach, session_work);
  report_requests(inv, requests, std::to_string(hits) + " cache hit" + (hits == 1 ? "" : "s"));
  if (!session) return std::move(session).error();
  return {};
}

}  // namespace

Expected<MemorySource> choose_memory_source(const Invocation& inv, const State& state) {
  if (inv.global.core) {
    if (inv.global.target) return usage_error("--core reads a core file offline; it does not go with --target");
    return MemorySource::kCore;
  }
  // A capture (--replay) answers through a session like a live target (cli/pcap/record_hook.h).
  if (inv.global.replay || inv.global.target || state.target) return MemorySource::kLive;
  if (kernel_path(inv, state)) return MemorySource::kKernelFile;
  return usage_error("no target: run `kdpctl reattach HOST[:PORT]` first, or pass --target HOST[:PORT] "
                     "(offline: --core FILE reads a core file, --kernel FILE the kernel file)");
}

Status with_kernel_file_memory(const Invocation& inv, State& state, const TargetWork& work) {
  // Where a kext is loaded only the running kernel knows (its kmod list): with kexts and a
  // target, ask the target, so the kext's addresses are the ones the user debugs.
  const bool kexts_to_place = (!inv.global.kexts.empty() || !state.kexts.empty()) && (inv.global.target || state.target);
  if (!inv.global.core && !inv.global.replay && kernel_path(inv, state) && !kexts_to_place)
    return run_kernel_file(inv, state, work);
  return with_target_memory(inv, state, work);
}

Status with_target_memory(const Invocation& inv, State& state, const TargetWork& work) {
  KDP_TRY(MemorySource source, choose_memory_source(inv, state));
  switch (source) {
    case MemorySource::kCore: return run_core(inv, state, work);
    case MemorySource::kKernelFile: return run_kernel_file(inv, state, work);
    case MemorySource::kLive: return run_live(inv, state, work);
  }
  return usage_error("no memory to read");
}

}  // namespace kdp::cli
