// ClientEngine: the debugger's side of KDP as a sans-I/O state machine. It owns no socket and
// reads no clock: datagrams and the time go in (on_datagram, on_timer), datagrams to send, the
// next wake-up, completed requests and stop notices come out. The same engine therefore runs
// over libuv UDP (Session) and inside the deterministic simulation (tests/client/sim).
//
// One request is outstanding at a time (KDP is lock-step). The engine
// * stamps each request with the next sequence number and a fresh key. The kernel echoes the key
//   of every request without checking it (spec §2.2), so a per-request key makes (code, seq, key)
//   identify the one request a reply belongs to: late replies to earlier requests, replies from
//   an earlier session and a reply the kernel replays for someone else's request never match;
// * retransmits the identical bytes on an adaptive timeout (RtoEstimator) with backoff, up to the
//   policy's attempts and deadline, then fails with an Error naming command, attempts, time;
//   while many round trips fail it sends idempotent requests twice (RetryPolicy::redundancy_above);
// * acknowledges every KDP_EXCEPTION/KDP_TERMINATION at once (also while a request is
//   outstanding), de-duplicates them by their own sequence number, and surfaces new ones as
//   StopNotices while a stop is expected (after a resume);
// * recovers sequence-number desynchronisation (spec §2.3):
//   - the seq-255 hazard: once the kernel answered seq 255 its E is 0 and a retransmission under
//     255 is dropped, so an idempotent request at 255 is re-sent under both 255 and 0;
//   - a reply under our seq that is not ours (the kernel replaying another request's reply for
//     E-1) proves the kernel has moved past that seq without executing our request there, so an
//     idempotent request moves to seq+1. A delayed write of an earlier process run that way is
//     only traced (it usually repeats what that process already wrote); a reply to a RESUMECPUS
//     or DISCONNECT this engine never sent is the hazard: a timeout then says why the kernel
//     went quiet (the kernel does not check who sends);
//   - a late KDP_CONNECT reply may answer a delayed duplicate of our CONNECT, which the kernel
//     treats as a retransmission and re-synchronises E to 1 (spec §4.3), so an idempotent
//     request is also sent as seq 1 (and blindly so after a few unanswered attempts, since the
//     reply to that duplicate may be lost as well);
//   - a late KDP_REATTACH reply may answer a delayed duplicate of our REATTACH, which silently
//     drops the session (spec §4.4: accepted at any seq). Nothing sound can be resumed after
//     that (kernel breakpoints are gone, notifications restart at 0): the engine only notes it
//     (hazard()), timeout errors name it, and KdpSession repeats a handshake it interrupted.
//   Non-idempotent requests never change seq; the Link puts an idempotent filler in front of
//   them whenever the kernel's E is uncertain or the next seq is 255 (seq_certain, next_seq).
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/endpoint.h"
#include "kdp/base/error.h"
#include "kdp/client/retry_policy.h"
#include "kdp/client/rto_estimator.h"
#include "kdp/wire/packet.h"

namespace kdp::client {

// Whether a request of this kind may be executed twice (see RequestSpec::idempotent): reads of
// virtual memory and registers, writes of virtual memory and registers (same bytes again),
// queries. Physical memory and I/O ports may be device registers with side effects.
bool is_idempotent(wire::Command command);

// Whether a request of this kind only looks: memory, registers and target queries. Everything else
// may change what a read returns (even a read of I/O ports has device side effects) or lets the
// kernel run. DUMPINFO counts as a query: kdpctl sends only GETINFO.
bool is_pure_query(wire::Command command);

inline constexpr int kFixedPaceAttempts = 8;  // see RequestSpec::retransmit_every

struct RequestSpec {
  explicit RequestSpec(wire::Command c, wire::Body b = wire::Empty{})
      : command(c), body(std::move(b)), idempotent(is_idempotent(c)) {}

  wire::Command command;
  wire::Body body;
  // Executing it twice in a row is harmless (queries, reads, rewriting the same bytes): it may be
  // re-sent under another seq to recover a desynchronised kernel.
  bool idempotent;
  // RESUMECPUS: a new KDP_EXCEPTION proves the kernel executed it (a running kernel does not
  // listen, so its reply may be lost for good).
  bool completed_by_stop = false;
  std::optional<int> max_attempts;       // overrides the policy
  std::optional<Duration> deadline;      // overrides the policy
  // The first kFixedPaceAttempts transmissions are repeated at this fixed interval instead of the
  // estimator's backed-off RTO (later ones back off as usual: a target that stays silent longer,
  // a machine restarting, is not flooded).
  std::optional<Duration> retransmit_every;
  // Send under this key instead of a fresh one: a KDP_CONNECT that the kernel must recognise as
  // a retransmission of the one that opened the session (spec §4.3) reuses that one's key.
  std::optional<uint32_t> key;
};

struct Completion {
  wire::Command command = wire::Command::kVersion;
  Expected<wire::Packet> reply = Error(ErrorKind::kTimeout, "");
  int attempts = 0;
  Duration elapsed{};
  bool implied_by_stop = false;  // completed by a KDP_EXCEPTION: `reply` is synthesised
  // A retransmitted CONNECT of this conversation that the kernel answered by replaying its reply
  // to another of our requests: it never saw the CONNECT and still serves us (`reply` is
  // synthesised): the command whose reply it replayed. See ClientEngine::on_foreign_reply.
  std::optional<wire::Command> still_ours;
};

// A KDP_EXCEPTION (or KDP_TERMINATION) notification seen for the first time.
struct StopNotice {
  uint8_t seq = 0;
  std::vector<wire::ExceptionInfo> exceptions;  // as sent (xnu: exactly one)
  std::optional<wire::TerminationNotification> termination;
};

struct EngineStats {
  uint64_t requests = 0;
  uint64_t transmissions = 0;     // request datagrams, retransmissions included
  uint64_t retransmissions = 0;
  uint64_t replies = 0;           // accepted replies
  uint64_t discarded = 0;         // every datagram that was not an accepted reply or a new stop
  uint64_t exceptions = 0;        // distinct notifications
  uint64_t acks = 0;              // acknowledgements sent
  uint64_t resyncs = 0;           // requests moved to another seq (seq-255 twin, replayed reply)
  uint64_t redundant = 0;         // extra copies sent by loss-adaptive redundancy
};

struct EngineConfig {
  Endpoint target;  // the only source whose datagrams are accepted, and where requests go
  RetryPolicy retry;
  uint32_t first_key = 0;  // keys are first_key, first_key+1, ... (random per session)
  // Optional: one line per datagram sent/received and per discard, for -v.
  std::function<void(std::string_view)> trace;
};

class ClientEngine {
 public:
  explicit ClientEngine(EngineConfig config);

  // Starts a request. Precondition: !busy(). An unencodable request completes at once.
  void start(RequestSpec spec, Time now);
  // Gives up the outstanding request without a completion (interrupted by the user).
  void abandon();
  bool busy() const { return pending_.has_value(); }

  void on_datagram(const Datagram& datagram, Time now);
  void on_timer(Time now);
  std::optional<Time> next_deadline() const;

  std::vector<Datagram> take_outgoing();
  std::optional<Completion> take_completion();
  std::optional<StopNotice> take_stop();
  bool has_stop() const { return !stops_.empty(); }

  // The handshake (spec §4.4): REATTACH and CONNECT both go out with seq 0. Keys issued before a
  // restart belong to the previous conversation: replies carrying them are merely stale.
  void restart_sequence();
  // Before a retransmission of the session's CONNECT (spec §4.3): it goes out as seq 0 again,
  // and the kernel expects seq 1 once it is answered. Keys stay those of this conversation.
  void rewind_for_connect() { use_seq(0); }
  // The next request goes out under `seq` (a CONNECT probing a kernel that someone else holds,
  // see KdpSession::handshake).
  void use_seq(uint8_t seq) {
    next_seq_ = seq;
    seq_certain_ = true;
  }
  // Goes on with a conversation an earlier engine (an earlier kdpctl process on the same port)
  // had with the kernel: the next request goes out under `next_seq`, and keys from the
  // conversation's CONNECT (`connect_key`) up to this engine's first key were that engine's own,
  // so its late replies are merely stale. EngineConfig::first_key must continue its numbering.
  // Notifications go on from `next_notification` (already seen ones are acknowledged and dropped).
  void resume_conversation(uint8_t next_seq, uint32_t connect_key, uint8_t next_notification);
  uint32_t next_key() const { return next_key_; }
  uint8_t next_notification_seq() const { return next_notification_seq_; }
  // The kernel numbers notifications from 0 again after every CONNECT/REATTACH (spec §4.8).
  void reset_notifications();
  // A stop is expected from now on (the caller resumed the kernel); notifications that arrive
  // while none is expected are acknowledged and dropped as stale.
  void expect_stop(bool expected) { stop_expected_ = expected; }

  // Why the kernel may have lost track of this conversation (a late REATTACH or CONNECT reply),
  // or empty.
  const std::string& hazard() const { return hazard_; }

  // The key of the KDP_CONNECT that opened this conversation, once it was answered.
  std::optional<uint32_t> connect_key() const { return connect_key_; }
  // Starts the RTO from a round trip measured by an earlier session (RtoEstimator::remember).
  void remember_rtt(Duration rtt) { rto_.remember(rtt); }

  uint8_t next_seq() const { return next_seq_; }
  // False when the kernel's expected seq may be next_seq() or next_seq()+1.
  bool seq_certain() const { return seq_certain_; }
  const EngineStats& stats() const { return stats_; }
  const RtoEstimator& rto() const { return rto_; }
  // Smoothed fraction of requests that needed a retransmission (or failed).
  double round_trip_failures() const { return failure_rate_; }
  const Endpoint& target() const { return config_.target; }

 private:
  struct Pending {
    explicit Pending(RequestSpec s) : spec(std::move(s)) {}  // the rest is set by start()
    RequestSpec spec;
    uint32_t key = 0;
    std::vector<uint8_t> live;        // the seqs it is sent under now (one, unless recovering)
    std::vector<uint8_t> used;        // every seq it was sent under: replies to any are ours
    int attempts = 0;
    bool redundant = false;           // send two copies of every transmission
    Time started{}, retransmit_at{}, deadline_at{};
    std::string evidence;             // why retransmissions went unanswered, for the error
  };

  void transmit(Time now);
  void count_outcome(bool retransmitted);
  void send_under(uint8_t seq);
  void on_retransmit_timer(Time now);
  Error timeout_error(Time now) const;
  bool add_live(uint8_t seq);  // false if it already was
  void fail(Time now, Error error);
  void complete(wire::Packet reply, uint8_t seq, Time now, bool implied_by_stop);
  void on_reply(const Datagram& datagram, const wire::Header& header, Time now);
  void on_foreign_reply(const wire::Packet& reply, Time now);
  void on_let_go(const wire::Packet& reply);
  bool issued_here(uint32_t key) const;
  void on_connect_echo();
  void on_reattach_echo();
  void also_send_under(uint8_t seq);
  bool is_connect_echo(const wire::Header& header) const;
  void on_notification(const Datagram& datagram, const wire::Header& header, Time now);
  void acknowledge(const wire::Header& header);
  bool is_duplicate_notification(uint8_t seq) const;
  bool is_previous_conversation(uint32_t key) const;
  void discard(const Datagram& datagram, std::string_view why);
  void emit(Bytes bytes);
  void trace(std::string_view line) const;

  EngineConfig config_;
  RtoEstimator rto_;
  uint8_t next_seq_ = 0;
  bool seq_certain_ = true;
  uint32_t next_key_;
  uint32_t conversation_first_key_;
  uint32_t origin_key_;  // the first key of this engine's, or its resumed conversation's
  std::optional<Pending> pending_;
  // A failed RESUMECPUS: a stop arriving later proves it ran (its seq was then consumed).
  std::optional<uint8_t> unresolved_resume_seq_;
  std::optional<uint32_t> connect_key_;  // of the CONNECT that opened this conversation
  std::optional<uint32_t> reattach_key_;  // of the REATTACH before it
  std::string hazard_;
  double failure_rate_ = 0;
  bool rewind_suspected_ = false;        // a late CONNECT reply came while no request was out
  uint8_t next_notification_seq_ = 0;
  bool stop_expected_ = false;
  std::vector<Datagram> outgoing_;
  std::optional<Completion> completion_;
  std::deque<StopNotice> stops_;
  EngineStats stats_;
};

}  // namespace kdp::client
