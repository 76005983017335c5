// Session: the blocking face of the KDP client, used by kdpctl and (later) the kgm memory layer.
// It drives the sans-I/O ClientEngine (client_engine.h) over a libuv UDP socket. Every call either
// completes or returns an Error naming the step, host:port, attempts and elapsed time, e.g.
//   "KDP_CONNECT to macvm:41139: no reply after 5 attempts in 3.2 s".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/wire/packet.h"
#include "kdp/wire/x86_state.h"

namespace kdp::client {

struct RetryPolicy {
  // RFC 6298-style adaptive retransmission timeout, clamped to [min_rto, max_rto], doubling on
  // every retransmission; an operation fails after max_attempts transmissions or when its
  // deadline passes, whichever comes first.
  std::chrono::milliseconds initial_rto{200};
  std::chrono::milliseconds min_rto{10};
  std::chrono::milliseconds max_rto{1000};
  int max_attempts = 8;
  std::chrono::milliseconds deadline{10000};  // per operation
};

struct SessionOptions {
  RetryPolicy retry;
  // -v: called once per datagram with "--> " or "<-- " + describe(), plus notes on discards.
  std::function<void(std::string_view line)> packet_log;
  // Set by a SIGINT handler; long waits (continue) return ErrorKind::kInterrupted when it turns true.
  const std::atomic<bool>* interrupt = nullptr;
};

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
};

// A stop reported by KDP_EXCEPTION.
struct StopEvent {
  uint32_t cpu = 0;
  uint32_t exception = 0;  // Mach exception (6 = EXC_BREAKPOINT)
  uint32_t code = 0;
  uint32_t subcode = 0;
  std::string description() const;  // "EXC_BREAKPOINT (code EXC_I386_BPTFLT 3, subcode 0x0)"
};

struct SessionStats {
  uint64_t requests = 0;          // distinct requests (operations on the wire)
  uint64_t transmissions = 0;     // datagrams sent, including retransmissions
  uint64_t retransmissions = 0;
  uint64_t replies = 0;
  uint64_t discarded = 0;         // stale, duplicate, foreign or malformed datagrams
  uint64_t exceptions = 0;        // distinct exception notifications
};

// Progress of a long transfer: bytes done of total.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

class Session {
 public:
  virtual ~Session() = default;

  // "host" or "host:port"; names go through the system resolver (/etc/hosts works).
  // reattach = REATTACH + CONNECT + VERSION + HOSTINFO + KERNELVERSION + MAXBYTES.
  static Expected<std::unique_ptr<Session>> reattach(const std::string& target, SessionOptions options);
  // Plain CONNECT for a kernel nobody holds, then the same queries.
  static Expected<std::unique_ptr<Session>> connect(const std::string& target, SessionOptions options);

  virtual const TargetInfo& target() const = 0;
  virtual SessionStats stats() const = 0;

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

  // RESUMECPUS, then wait (bounded by `timeout`, interruptible) for the KDP_EXCEPTION that reports
  // the next stop; the notification is acknowledged as soon as it arrives.
  virtual Expected<StopEvent> resume_and_wait(std::chrono::milliseconds timeout) = 0;
  // Trap flag via WRITEREGS, RESUMECPUS, wait for the debug trap, clear the trap flag.
  virtual Expected<StopEvent> single_step(std::chrono::milliseconds timeout) = 0;

  virtual Status disconnect() = 0;                  // DISCONNECT: the kernel resumes
  virtual Status reboot() = 0;                      // HOSTREBOOT: fire and forget (no reply exists)
  virtual Expected<wire::DumpInfo> dump_info() = 0;  // DUMPINFO with type GETINFO
};

}  // namespace kdp::client
