// Session: the blocking face of the KDP client, used by kdpctl and (later) the kgm memory layer.
// It drives the sans-I/O ClientEngine (client_engine.h) over a libuv UDP socket through a Link
// (link.h); the implementation, KdpSession (kdp_session.h), runs unchanged over the simulated
// network of the deterministic tests. Every call either completes or returns an Error naming the
// step, host:port, attempts and elapsed time, e.g.
//   "reattach macvm:41139: no reply to KDP_CONNECT after 5 attempts in 3.2 s".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/client/retry_policy.h"
#include "kdp/client/transport.h"
#include "kdp/wire/packet.h"
#include "kdp/wire/x86_state.h"

namespace kdp::client {

// What the handshake learned (spec §4.4: VERSION, HOSTINFO, KERNELVERSION, MAXBYTES).
struct TargetInfo {
  std::string host;           // as the user wrote it ("macvm")
  std::string address;        // resolved "192.0.2.7:41139"
  uint32_t version = 0;
  uint32_t feature = 0;       // bit 0: kernel-managed breakpoints
  wire::HostInfoReply host_info;
  std::string kernel_version;  // full KERNELVERSION text
  std::optional<std::string> uuid;   // from "; UUID=" (36 chars, upper case)
  std::optional<uint64_t> stext;     // from "; stext=0x..." (10.8+, KASLR)
  uint32_t max_bytes = wire::kMaxDataSize;
  bool kernel_breakpoints() const { return (feature & wire::kFeatureBreakpoints) != 0; }
  friend bool operator==(const TargetInfo&, const TargetInfo&) = default;
};

// Where a process that ended left its conversation with a stopped kernel (kdpctl keeps it in its
// state file between one-shot commands): the kernel still serves that conversation, replying to
// local_port and expecting next_seq. A new process that binds the same port goes on with it
// instead of REATTACH + CONNECT: one round trip instead of six, and no REATTACH whose delayed
// copies could reset the kernel under the next command.
struct ResumePoint {
  uint16_t local_port = 0;
  uint8_t next_seq = 0;
  uint32_t connect_key = 0;  // the key of the CONNECT that opened the conversation
  uint32_t next_key = 0;     // request keys go on from here
  uint8_t next_notification = 0;  // the kernel's next KDP_EXCEPTION seq (spec §4.8)
  TargetInfo target;         // what its handshake learned (host and address are not kept)
  friend bool operator==(const ResumePoint&, const ResumePoint&) = default;
};

// Where a session records the int3s it writes itself (targets without kernel-managed
// breakpoints): `planting` is told before the 0xCC goes out and must have the original byte on
// disk when it returns (an error cancels the write); `lifted` after the original byte went back
// for good. A process killed in between leaves the record, and the next session restores the
// byte from it (REATTACH does not undo a write to kernel memory).
class Int3Journal {
 public:
  virtual ~Int3Journal() = default;
  virtual Status planting(const std::string& target, uint64_t address, uint8_t original) = 0;
  virtual Status lifted(const std::string& target, uint64_t address) = 0;
};

struct SessionOptions {
  // Opens the transport to the target (kdp/net: net::udp_transport_factory()). Required by
  // Session::reattach/connect.
  TransportFactory transport;
  RetryPolicy retry;
  // The smoothed round trip an earlier session measured against the same target (the CLI keeps
  // it in its state file; SessionStats::srtt gives it back): the first request's timeout starts
  // from it instead of RetryPolicy::initial_rto.
  std::optional<std::chrono::nanoseconds> remembered_rtt;
  // -v: called once per datagram with "--> " or "<-- " + describe(), plus notes on discards.
  std::function<void(std::string_view line)> packet_log;
  // A reattached session that finds the kernel held by someone else within this time after it
  // attached takes it back once more (the holder is then most likely a delayed CONNECT of an
  // earlier, dead debugger process, let in by a delayed REATTACH); later it fails, naming the
  // other debugger. kdpctl, one process per command, sets it; 0: only while attaching.
  std::chrono::milliseconds retake_window{0};
  // Local UDP port to bind (0: ephemeral), e.g. for a firewall rule; replies and exception
  // notifications both arrive there.
  uint16_t local_port = 0;
  // Set by a SIGINT handler: waits (continue, and requests still being retransmitted) return
  // ErrorKind::kInterrupted within ~50 ms of it turning true.
  const std::atomic<bool>* interrupt = nullptr;
  // Go on with the conversation an earlier process left (see ResumePoint) on its port; when that
  // port is taken or the kernel does not answer there, the usual handshake runs instead.
  std::optional<ResumePoint> resume;
  // With `resume`: take the kernel over afresh (REATTACH + CONNECT, from the conversation's port)
  // instead of going on with it, and go on with it only if the kernel ignores the REATTACH (a
  // third-party stub that answers REATTACH only while no debugger is connected).
  bool take_over = false;
  // How long attaching may take, when not the per-request deadline (a kernel that was left
  // running is given a short try: a running kernel does not listen).
  std::optional<std::chrono::milliseconds> attach_deadline;
  // Wraps the socket transport before the handshake (kdpctl --record puts a capture recorder
  // around it); the error fails the session open.
  std::function<Expected<std::unique_ptr<Transport>>(std::unique_ptr<Transport>)> wrap_transport;
  // Records the int3s this session writes (targets without kernel-managed breakpoints); none: it
  // keeps them in memory only.
  std::shared_ptr<Int3Journal> int3_journal;
};



// A stop reported by KDP_EXCEPTION.
struct StopEvent {
  uint32_t cpu = 0;
  uint32_t exception = 0;  // Mach exception (6 = EXC_BREAKPOINT)
  uint32_t code = 0;
  uint32_t subcode = 0;
  // RIP after the stop, already rewound onto the breakpoint when an int3 of this session's
  // breakpoints caused it (the kernel reports RIP one past the 0xCC, spec §4.7).
  uint64_t rip = 0;
  bool breakpoint_hit = false;  // an int3 of this session's breakpoint at rip stopped it
  bool termination = false;     // a KDP_TERMINATION (never sent by xnu): code/subcode = term/exit
  std::string description() const;  // "EXC_BREAKPOINT (code EXC_I386_BPTFLT 3, subcode 0x0)"
};

// A breakpoint this session inserted.
struct BreakpointInfo {
  uint64_t address = 0;
  bool kernel_managed = false;  // BREAKPOINT64_SET; else a 0xCC written by the session
  uint8_t original = 0;         // the byte under a 0xCC written by the session
};

struct SessionStats {
  uint64_t requests = 0;          // distinct requests (operations on the wire)
  uint64_t transmissions = 0;     // datagrams sent, including retransmissions
  uint64_t retransmissions = 0;
  uint64_t replies = 0;
  uint64_t discarded = 0;         // stale, duplicate, foreign or malformed datagrams
  uint64_t exceptions = 0;        // distinct exception notifications
  uint64_t acks = 0;              // exception acknowledgements sent
  uint64_t resyncs = 0;           // requests re-sent under another seq (seq-255 hazard, replays)
  uint64_t redundant = 0;         // extra copies sent while the link was lossy (RetryPolicy)
  std::chrono::nanoseconds rto{0};   // the current retransmission timeout
  std::chrono::nanoseconds srtt{0};  // smoothed round trip (0 before the first sample)
  uint64_t recoveries = 0;           // times the session regained a kernel that fell silent
};

// Progress of a long transfer: bytes done of total.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

class Session {
 public:
  virtual ~Session() = default;

  // "host", "host:port", "[v6addr]:port" or "v6addr", through options.transport.
  // reattach = REATTACH + CONNECT + VERSION + HOSTINFO + KERNELVERSION + MAXBYTES, within one
  // deadline (options.retry.deadline): a CONNECT that goes unanswered or is refused with
  // ALREADY_CONNECTED right after our own REATTACH (a delayed CONNECT of an earlier debugger got
  // in between) is preceded by another REATTACH. A target that does not answer MAXBYTES gets the
  // protocol's 1024 bytes. A stopped kernel that falls silent later (a delayed duplicate of our
  // REATTACH reset it) is reconnected with a retransmission of our CONNECT, transparently for
  // idempotent requests; one that answers ALREADY_CONNECTED then was taken by another debugger.
  static Expected<std::unique_ptr<Session>> reattach(const std::string& target, SessionOptions options);
  // Plain CONNECT for a kernel nobody holds, then the same queries.
  static Expected<std::unique_ptr<Session>> connect(const std::string& target, SessionOptions options);

  virtual const TargetInfo& target() const = 0;
  virtual SessionStats stats() const = 0;
  // Where a later process may go on with this conversation if this one ends now: only while the
  // kernel is stopped, connected to us, and its expected seq is known.
  virtual std::optional<ResumePoint> resume_point() const { return std::nullopt; }
  // Whether this session went on with a conversation it was given (SessionOptions::resume).
  virtual bool resumed() const { return false; }

  // Changes whenever what a memory read returns may have changed: before every request that lets
  // the kernel run (resume, step), writes memory, registers, MSRs or ports, sets or removes a
  // breakpoint, (re)attaches or ends the session, and when a stop arrives. Caches of kernel memory
  // (kgm::CachedMemory) key on it; reads never change it.
  virtual uint64_t generation() const = 0;

  // Virtual memory, split at MAXBYTES. A short read fails with an Error naming the first
  // unreadable address; read_memory_partial returns what was read before it instead.
  virtual Expected<Bytes> read_memory(uint64_t address, uint64_t size, ProgressFn progress = {}) = 0;
  virtual Expected<Bytes> read_memory_partial(uint64_t address, uint64_t size) = 0;
  virtual Status write_memory(uint64_t address, ByteView data) = 0;
  virtual Expected<Bytes> read_physical(uint64_t address, uint64_t size, uint16_t lcpu = wire::kCurrentLcpu) = 0;
  virtual Status write_physical(uint64_t address, ByteView data, uint16_t lcpu = wire::kCurrentLcpu) = 0;
  virtual Expected<uint64_t> read_msr(uint32_t msr, uint16_t lcpu = wire::kCurrentLcpu) = 0;
  virtual Status write_msr(uint32_t msr, uint64_t value, uint16_t lcpu = wire::kCurrentLcpu) = 0;
  virtual Expected<uint32_t> read_ioport(uint16_t port, uint16_t width, uint16_t lcpu = wire::kCurrentLcpu) = 0;
  virtual Status write_ioport(uint16_t port, uint16_t width, uint32_t value, uint16_t lcpu = wire::kCurrentLcpu) = 0;

  virtual Expected<wire::X86ThreadState64> read_registers() = 0;
  virtual Status write_registers(const wire::X86ThreadState64& state) = 0;
  virtual Expected<Bytes> read_float_state() = 0;  // flavor 5, 524 bytes

  // Kernel-managed breakpoints when the target has KDP_FEATURE_BP, else 0xCC written by us (the
  // original byte is remembered per session).
  virtual Status set_breakpoint(uint64_t address) = 0;
  virtual Status remove_breakpoint(uint64_t address) = 0;
  // This session's breakpoints (REATTACH clears the kernel-managed ones: a CLI that keeps
  // breakpoints across invocations sets them again; a 0xCC it wrote itself stays in memory and
  // is taken back with adopt_breakpoint, giving the original byte it saved).
  virtual std::vector<BreakpointInfo> breakpoints() const { return {}; }
  virtual Status adopt_breakpoint(uint64_t address, uint8_t original) {
    return usage_error("adopt_breakpoint is not supported by this session");
  }

  // RESUMECPUS, then wait (bounded by `timeout`, interruptible) for the KDP_EXCEPTION that reports
  // the next stop; the notification is acknowledged as soon as it arrives. Resuming on one of
  // this session's breakpoints steps over it first (lift, single step, re-insert). If no stop
  // comes in time the kernel keeps running: running() is true and every request fails (kUsage)
  // until wait_for_stop() sees the stop (KDP cannot interrupt a running kernel).
  virtual Expected<StopEvent> resume_and_wait(std::chrono::milliseconds timeout) = 0;
  // Trap flag via WRITEREGS, RESUMECPUS, wait for the debug trap, clear the trap flag.
  virtual Expected<StopEvent> single_step(std::chrono::milliseconds timeout) = 0;
  // After resume_and_wait timed out or was interrupted: keep waiting for that stop.
  virtual Expected<StopEvent> wait_for_stop(std::chrono::milliseconds timeout) {
    return usage_error("wait_for_stop is not supported by this session");
  }
  virtual bool running() const { return false; }

  virtual Status disconnect() = 0;                  // DISCONNECT: the kernel resumes
  virtual Status reboot() = 0;                      // HOSTREBOOT: fire and forget (no reply exists)
  virtual Expected<wire::DumpInfo> dump_info() = 0;  // DUMPINFO with type GETINFO
};

}  // namespace kdp::client
