// The target side of KDP as xnu-1699 implements it (spec §2–§4), as a sans-I/O engine: datagrams
// and time go in (on_datagram, on_timer), datagrams, a wake-up deadline and console notes come out
// (take_outgoing, next_deadline, take_log). It owns no socket and reads no clock, so kdp-sim, the
// pcap replay server and the deterministic simulation tests all run the same xnu rules.
//
// The simulated kernel has one CPU. It starts STOPPED and NOT CONNECTED (a kernel that trapped at
// boot and waits for a debugger). States and what moves between them:
//
//   waiting       --CONNECT seq 0-->                  serving
//   serving       --RESUMECPUS-->                     running
//   serving       --DISCONNECT-->                     running (breakpoints removed)
//   serving       --REATTACH (any seq)-->             waiting (breakpoints removed, still stopped)
//   running       --0xCC reached, TF step, stop-after, trap()-->
//                                                     awaiting ack (connected) or waiting (not)
//   awaiting ack  --ack-->                            serving (E continues)
//   awaiting ack  --101 transmissions, no ack-->      running (disconnected, breakpoints removed)
//   waiting, serving --HOSTREBOOT-->                  booting (deaf for TargetConfig::boot_time)
//   booting       --boot_time passed-->               waiting
//
// Behaviour the spec leaves to the simulator, decided here:
// * HOSTREBOOT (any seq while waiting; in sequence while serving) "reboots": breakpoints are
//   removed, the session, sequence numbers, cached reply and registers are reset, the script
//   restarts, and the kernel waits for a debugger again. Memory is not reloaded from the core.
//   A machine takes time to restart: for `boot_time` every datagram is dropped, as a real Mac's
//   network is down while it reboots. Every copy of a request the last session sent dies meanwhile
//   instead of running in the first session of the new boot (the next debugger's seq 1 and 2).
// * READPHYSMEM64/WRITEPHYSMEM64 address physical memory through the kernel's identity map:
//   physical P is virtual P + 0xffffff8000000000 (where a 10.7 kernel loaded at physical 0x200000
//   runs). `lcpu` is ignored.
// * I/O ports are a byte map: unknown ports read 0xff (a floating ISA bus), writes are kept.
//   MSRs are a map preloaded with plausible values (IA32_APIC_BASE, IA32_EFER, STAR/LSTAR/...);
//   unknown MSRs read 0 (real hardware would #GP inside the debugger).
// * DUMPINFO reports type DISABLE (no kdumpd server), plus NORESUME when a SETINFO asked for it
//   (then the next DISCONNECT keeps the kernel stopped, waiting for a debugger, as in xnu).
// * Requests are parsed by the wire codec. Like xnu it ignores bytes past a request's struct, but
//   it wants a NUL-terminated greeting in CONNECT and the port in REATTACH, which xnu does not
//   check (a 12-byte CONNECT is answered by xnu, an 8-byte REATTACH answered to a garbage port);
//   here such datagrams are counted malformed and not answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/endpoint.h"
#include "kdp/stub/breakpoints.h"
#include "kdp/stub/memory.h"
#include "kdp/wire/packet.h"
#include "kdp/wire/x86_state.h"

namespace kdp::stub {

// Illustrative 10.7.3 values (the UUID is a stand-in, not the real kernel's).
inline constexpr std::string_view kDefaultKernelUuid = "2B6D3C1A-5F0E-3A47-9E8B-7C0D1A2B3C4D";
inline constexpr std::string_view kDefaultKernelVersion =
    "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; "
    "root:xnu-1699.24.23~1/RELEASE_X86_64; UUID=2B6D3C1A-5F0E-3A47-9E8B-7C0D1A2B3C4D";

// Exception-notification timing of xnu-1699 on x86_64 (spec §4.8).
inline constexpr Duration kAckPollWindow = std::chrono::milliseconds(150);         // 50 polls of ~3 ms
inline constexpr Duration kAckSpin = std::chrono::microseconds(2500);              // kdp_us_spin(250000) = delay(2500)
inline constexpr unsigned kMaxExceptionTransmissions = 101;
// Physical address P is virtual P + this (see READPHYSMEM64 above).
inline constexpr uint64_t kPhysMapBase = 0xffffff8000000000ULL;

// Ways a third-party KDP server departs from xnu's rules, for testing clients against it
// (kdp-sim --quirks NAME).
struct StubQuirks {
  bool no_maxbytes = false;        // KDP_MAXBYTES is not implemented: no reply
  bool no_sequence_check = false;  // every request is served whatever its seq (retransmissions run
                                   // again, nothing is replayed) and any CONNECT (re)connects
  bool reattach_only_waiting = false;  // KDP_REATTACH is ignored while a debugger is connected
  friend bool operator==(const StubQuirks&, const StubQuirks&) = default;
};
// quarkslab/LLDBagility's kdpserver.py (the KDP server in front of its VirtualBox VMs): it has no
// MAXBYTES handler, no sequence check, and answers REATTACH only while not connected.
inline constexpr StubQuirks kLldbagilityQuirks{true, true, true};

// What the simulated kernel reports about itself.
struct TargetConfig {
  uint32_t cpus_mask = 0x3, cpu_type = 0x01000007, cpu_subtype = 4;
  uint32_t version = 12, feature = wire::kFeatureBreakpoints;
  std::string kernel_version = std::string(kDefaultKernelVersion);
  bool bad_access_errors = false;  // xnu-2422+: error 4 on short memory transfers
  // false (a capture without READREGS): reading the thread state fails with KDPERR_BADFLAVOR,
  // never answers invented zeros; a WRITEREGS makes them known.
  bool registers_known = true;
  // HOSTREBOOT: deaf this long, then waiting for a debugger. Never 0 for a realistic kernel: a
  // debugger tells a restarting machine from one that lost the HOSTREBOOT by its silence.
  Duration boot_time = std::chrono::seconds(2);
  StubQuirks quirks;  // none: xnu-1699
};

// The "CPU": after a resume it walks `path` (RIP values), one element per `step` of time.
// Executing an address whose byte is 0xCC stops with RIP = address + 1; with rflags.TF set at
// resume it stops after one step at the next address. Both report (EXC_BREAKPOINT, 3, 0).
// On resume the walk continues at RIP's position in the path (or after it if RIP is one past an
// element, i.e. the debugger did not rewind after a breakpoint; otherwise where it left off).
struct ExecutionScript {
  std::vector<uint64_t> path;
  bool loop = true;          // false: the CPU idles at the last element
  Duration step = std::chrono::milliseconds(1);       // must be positive (0 is treated as 1 ms)
  // --stop-after: every time the kernel resumes, it stops again (as if by NMI, reported like a
  // breakpoint) this long afterwards unless something else stopped it first.
  std::optional<Duration> stop_after_resume;
};

// Counters. Every received datagram lands in exactly one of the first seven buckets.
struct StubStats {
  uint64_t received = 0;
  uint64_t requests = 0;          // dispatched to a handler (answered or not)
  uint64_t replayed_replies = 0;  // seq == E-1: the cached reply was re-sent byte for byte
  uint64_t dropped = 0;           // silently dropped (details below)
  uint64_t malformed = 0;         // < 8 bytes, len != datagram size, or a body that does not decode
  uint64_t unknown = 0;           // in sequence but unanswered: LOAD, IMAGEPATH, EXCEPTION or
                                  // TERMINATION as a request, codes >= 0x20
  uint64_t acks = 0;              // exception acks accepted

  uint64_t replies = 0;               // sent, sideband included, replays excluded
  uint64_t exceptions_sent = 0;       // stops reported (first transmissions)
  uint64_t exception_retransmits = 0;

  uint64_t out_of_sequence = 0;       // dropped: "kdp: bad sequence"
  uint64_t ignored_replies = 0;       // dropped: reply bit set while serving
  uint64_t dropped_not_connected = 0; // dropped: not CONNECT/REATTACH seq 0 while waiting
  uint64_t dropped_while_running = 0; // dropped: the kernel is running and not listening
  uint64_t dropped_while_booting = 0; // dropped: the machine is restarting (HOSTREBOOT)
  uint64_t dropped_awaiting_ack = 0;  // dropped: anything but the right ack while notifying
  uint64_t already_connected = 0;     // sideband KDPERR_ALREADY_CONNECTED replies
  uint64_t ack_timeouts = 0;
  uint64_t reboots = 0;
};

class StubEngine {
 public:
  StubEngine(TargetConfig config, Memory memory, wire::X86ThreadState64 registers,
             ExecutionScript script = {});

  void on_datagram(const Datagram& datagram, Time now);  // datagram.peer = source endpoint
  void on_timer(Time now);
  std::optional<Time> next_deadline() const;              // when on_timer wants to be called
  std::vector<Datagram> take_outgoing();                  // datagram.peer = destination

  // The kernel traps now (NMI, Debugger()): ignored unless running. Connected: a KDP_EXCEPTION
  // notification is sent; not connected: the kernel waits for a debugger.
  void trap(uint32_t exception, uint32_t code, uint32_t subcode, Time now);
  // One-shot: trap(EXC_BREAKPOINT, EXC_I386_BPTFLT, 0) at now + d if the kernel is running then.
  void schedule_stop_after(Duration d, Time now);

  bool connected() const { return session_.connected; }
  uint16_t reply_port() const { return session_.reply_port; }  // where replies go while connected
  bool running() const { return state_ == State::kRunning; }
  bool booting() const { return state_ == State::kBooting; }
  bool awaiting_ack() const { return state_ == State::kAwaitingAck; }
  uint8_t expected_seq() const { return expected_seq_; }   // E
  uint8_t exception_seq() const { return session_.exception_seq; }
  const StubStats& stats() const { return stats_; }
  const Memory& memory() const { return memory_; }
  const wire::X86ThreadState64& registers() const { return registers_; }
  const BreakpointTable& breakpoints() const { return breakpoints_; }
  const TargetConfig& config() const { return config_; }
  // A kernel update: the machine boots this version from its next restart on (the debugger that
  // regains it afterwards must notice it is another kernel).
  void install_kernel_version(std::string version) { installed_version_ = std::move(version); }
  // Human-readable notes, as xnu prints them on the console ("kdp: bad sequence 5 (want 7)").
  std::vector<std::string> take_log();

 private:
  enum class State { kWaiting, kServing, kAwaitingAck, kRunning, kBooting };
  struct Session {  // xnu's `kdp` struct, the parts the protocol can see
    bool connected = false;
    bool halted = false;
    uint16_t reply_port = 0;
    uint16_t exc_port = 0;
    uint8_t conn_seq = 0;
    uint32_t key = 0;
    uint8_t exception_seq = 0;  // notification counter
  };
  struct Reply {
    wire::Packet packet;
    uint16_t port = 0;       // destination UDP port; the IP is the request's source
    bool sideband = false;   // not cached, E unchanged (KDPERR_ALREADY_CONNECTED)
  };
  struct Notification {
    wire::ExceptionInfo info;
    unsigned transmissions = 0;
    Time poll_end{};
    Time next_send{};  // next retransmission, or the ack timeout after the last one
  };

  // kdp_hdr_t as xnu's loops see it: unlike wire::decode_header, any 7-bit code (an unknown code
  // still takes part in the sequence rules: it can trigger a replay or a "bad sequence").
  struct RawHeader {
    uint8_t code = 0;
    bool is_reply = false;
    uint8_t seq = 0;
    uint16_t len = 0;
    uint32_t key = 0;
    wire::Command command() const { return static_cast<wire::Command>(code); }
  };
  static Expected<RawHeader> peek_header(ByteView datagram);

  // sequencing.cpp: the wait loop, the connected loop and the reply cache (§2.3)
  void on_waiting(const Datagram& datagram, const RawHeader& header, Time now);
  void on_serving(const Datagram& datagram, const RawHeader& header, Time now);
  void dispatch(const Datagram& datagram, const RawHeader& header, Time now);
  void send_reply(Reply reply, Endpoint host);
  void replay();
  void drop(uint64_t& reason, std::string note);
  void count_malformed(const Datagram& datagram, const std::string& why);
  void remember(ByteView bytes);  // xnu builds every packet in one buffer: keep its leftovers

  // handlers.cpp and *_handlers.cpp: one function per request, replies built "in place"
  std::optional<Reply> handle(const wire::Packet& request, Time now);
  Reply reply_to(const wire::Packet& request, wire::Body body) const;
  std::optional<Reply> on_connect(const wire::Packet& request);
  std::optional<Reply> on_disconnect(const wire::Packet& request);
  std::optional<Reply> on_reattach(const wire::Packet& request);
  std::optional<Reply> on_resume(const wire::Packet& request);
  std::optional<Reply> on_reboot(Time now);
  // address nullopt: nothing can be mapped there (a physical address beyond the identity map).
  std::optional<Reply> on_read_memory(const wire::Packet& request, std::optional<uint64_t> address,
                                      uint32_t nbytes);
  std::optional<Reply> on_write_memory(const wire::Packet& request, std::optional<uint64_t> address,
                                       ByteView data);
  std::optional<Reply> on_breakpoint(const wire::Packet& request, uint64_t address, bool set);
  std::optional<Reply> on_read_regs(const wire::Packet& request);
  std::optional<Reply> on_write_regs(const wire::Packet& request);
  std::optional<Reply> on_version(const wire::Packet& request) const;
  std::optional<Reply> on_read_ioport(const wire::Packet& request);
  std::optional<Reply> on_write_ioport(const wire::Packet& request);
  std::optional<Reply> on_read_msr(const wire::Packet& request, Time now) const;
  std::optional<Reply> on_write_msr(const wire::Packet& request);
  std::optional<Reply> on_dumpinfo(const wire::Packet& request);

  // execution.cpp: leaving the debugger, running the script, traps
  void leave_debugger(Time now);
  void start_running(Time now);
  void enter_waiting();
  void disconnect_session();
  void step(Time at);
  void locate_cursor();
  void reboot(Time now);

  // exceptions.cpp: KDP_EXCEPTION send, retransmission and ack (§4.8)
  void send_notification(Time now);
  void on_awaiting_ack(const Datagram& datagram, Time now);
  void on_ack_deadline(Time now);
  void ack_timeout(Time now);

  void log(std::string line) { log_.push_back(std::move(line)); }

  TargetConfig config_;
  Memory memory_;
  wire::X86ThreadState64 registers_;
  wire::X86ThreadState64 boot_registers_;  // restored by HOSTREBOOT
  ExecutionScript script_;

  State state_ = State::kWaiting;
  Session session_;
  uint8_t expected_seq_ = 0;       // E ("exception_seq" in kdp_udp.c)
  std::optional<Datagram> cached_reply_;
  Endpoint remote_;                // address learned from every datagram while not connected
  bool reattach_wait_ = false;
  std::optional<Time> boot_done_;  // booting until then
  std::optional<std::string> installed_version_;  // booted at the next restart
  bool noresume_on_disconnect_ = false;
  Bytes packet_buffer_;

  BreakpointTable breakpoints_;
  std::optional<Notification> notification_;
  size_t cursor_ = 0;              // index into script_.path
  bool idle_ = false;              // a non-looping script reached its end
  std::optional<Time> next_step_;
  std::optional<Time> stop_at_;

  std::map<uint16_t, uint8_t> io_ports_;
  std::map<uint32_t, uint64_t> msrs_;
  wire::DumpInfo dump_info_;

  std::vector<Datagram> outgoing_;
  std::vector<std::string> log_;
  StubStats stats_;
};

}  // namespace kdp::stub
