#include "kdp/client/client_engine.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "kdp/client/duration_text.h"
#include "kdp/wire/codec.h"

namespace kdp::client {

using wire::Command;

namespace {

// Unanswered transmissions before an idempotent request is also tried as seq 1.
constexpr int kAttemptsBeforeProbe = 3;

}  // namespace

bool is_idempotent(Command command) {
  switch (command) {
    case Command::kHostInfo:
    case Command::kVersion:
    case Command::kMaxBytes:
    case Command::kReadMem:
    case Command::kWriteMem:
    case Command::kReadRegs:
    case Command::kWriteRegs:
    case Command::kRegions:
    case Command::kReadMem64:
    case Command::kWriteMem64:
    case Command::kKernelVersion:
    case Command::kReadMsr64:
      return true;
    default:
      return false;
  }
}

bool is_pure_query(Command command) {
  switch (command) {
    case Command::kHostInfo:
    case Command::kVersion:
    case Command::kMaxBytes:
    case Command::kReadMem:
    case Command::kReadMem64:
    case Command::kReadPhysMem64:
    case Command::kReadRegs:
    case Command::kReadMsr64:
    case Command::kKernelVersion:
    case Command::kRegions:
    case Command::kImagePath:
    case Command::kDumpInfo:
      return true;
    default:
      return false;
  }
}

namespace {
// Requests after whose reply the kernel no longer serves the session that sent them.
bool ends_stop(Command command) {
  return command == Command::kResumeCpus || command == Command::kDisconnect || command == Command::kReattach;
}
}  // namespace

ClientEngine::ClientEngine(EngineConfig config)
    : config_(std::move(config)),
      rto_(config_.retry),
      next_key_(config_.first_key),
      conversation_first_key_(config_.first_key),
      origin_key_(config_.first_key) {}

void ClientEngine::start(RequestSpec spec, Time now) {
  assert(!busy());
  completion_.reset();
  ++stats_.requests;
  uint32_t key = spec.key ? *spec.key : next_key_++;
  if (auto probe = wire::encode(wire::make_request(spec.command, next_seq_, key, spec.body)); !probe) {
    completion_ = Completion{spec.command, std::move(probe).error(), 0, Duration::zero(), false};
    return;
  }
  Pending& p = pending_.emplace(std::move(spec));
  p.key = key;
  p.live = p.used = {next_seq_};
  p.redundant = p.spec.idempotent && failure_rate_ > config_.retry.redundancy_above;
  p.started = now;
  p.deadline_at = now + p.spec.deadline.value_or(config_.retry.deadline);
  if (rewind_suspected_ && p.spec.idempotent) {
    add_live(1);
    rewind_suspected_ = false;
  }
  transmit(now);
}

void ClientEngine::abandon() {
  if (!pending_) return;
  // It may or may not have run: the kernel's E is its seq or the one after.
  next_seq_ = pending_->live.front();
  seq_certain_ = false;
  pending_.reset();
}

void ClientEngine::transmit(Time now) {
  Pending& p = *pending_;
  for (uint8_t seq : p.live) {
    send_under(seq);
    if (p.redundant) {
      send_under(seq);
      ++stats_.redundant;
    }
  }
  ++p.attempts;
  if (p.attempts > 1) ++stats_.retransmissions;
  const bool fixed = p.spec.retransmit_every && p.attempts <= kFixedPaceAttempts;
  p.retransmit_at = now + (fixed ? *p.spec.retransmit_every : rto_.backed_off(p.attempts - 1));
}

void ClientEngine::send_under(uint8_t seq) {
  const Pending& p = *pending_;
  auto bytes = wire::encode(wire::make_request(p.spec.command, seq, p.key, p.spec.body));
  assert(bytes);  // the same packet encoded in start()
  ++stats_.transmissions;
  emit(std::move(bytes).value());
}

std::optional<Time> ClientEngine::next_deadline() const {
  if (!pending_) return std::nullopt;
  return std::min(pending_->retransmit_at, pending_->deadline_at);
}

void ClientEngine::on_timer(Time now) {
  if (pending_ && now >= *next_deadline()) on_retransmit_timer(now);
}

void ClientEngine::on_retransmit_timer(Time now) {
  Pending& p = *pending_;
  int max_attempts = p.spec.max_attempts.value_or(config_.retry.max_attempts);
  if (now >= p.deadline_at || (max_attempts > 0 && p.attempts >= max_attempts)) return fail(now, timeout_error(now));
  if (p.spec.idempotent) {
    // Spec §2.3 rule 5: if seq 255 was executed and its reply lost, the kernel now expects 0 and
    // drops 255 for good. Send both; a second execution of an idempotent request is harmless.
    if (std::find(p.live.begin(), p.live.end(), 255) != p.live.end() && add_live(0))
      trace("   seq 255 unanswered: also sending it as seq 0");
    // A delayed duplicate of our CONNECT re-synchronises the kernel to seq 1 (spec §4.3), and
    // its reply may be lost too.
    if (connect_key_ && p.attempts >= kAttemptsBeforeProbe && add_live(1))
      trace("   still unanswered: also sending it as seq 1");
  }
  transmit(now);
}

Error ClientEngine::timeout_error(Time now) const {
  const Pending& p = *pending_;
  std::string message = "no reply to " + wire::command_name(p.spec.command) + " after " +
                        std::to_string(p.attempts) + (p.attempts == 1 ? " attempt" : " attempts") + " in " +
                        duration_text(now - p.started);
  if (!p.evidence.empty())
    message += " (" + p.evidence + ")";
  else if (!hazard_.empty())
    message += " (" + hazard_ + ")";
  return Error(ErrorKind::kTimeout, std::move(message));
}

bool ClientEngine::add_live(uint8_t seq) {
  Pending& p = *pending_;
  if (std::find(p.used.begin(), p.used.end(), seq) == p.used.end()) p.used.push_back(seq);
  if (std::find(p.live.begin(), p.live.end(), seq) != p.live.end()) return false;
  p.live.push_back(seq);
  ++stats_.resyncs;
  return true;
}

void ClientEngine::fail(Time now, Error error) {
  Pending& p = *pending_;
  completion_ = Completion{p.spec.command, std::move(error), p.attempts, now - p.started, false};
  count_outcome(true);
  next_seq_ = p.live.front();  // the lower of the kernel's possible expectations
  seq_certain_ = false;
  if (p.spec.completed_by_stop) unresolved_resume_seq_ = p.live.front();
  pending_.reset();
}

void ClientEngine::complete(wire::Packet reply, uint8_t seq, Time now, bool implied_by_stop) {
  Pending& p = *pending_;
  if (p.attempts == 1 && p.used.size() == 1 && !implied_by_stop) rto_.add_sample(now - p.started);
  if (!implied_by_stop) count_outcome(p.attempts > 1);
  // The kernel now expects seq+1: a copy still in flight under exactly that seq may yet run and
  // move it one further; copies under other seqs can no longer run.
  next_seq_ = static_cast<uint8_t>(seq + 1);
  seq_certain_ = std::find(p.live.begin(), p.live.end(), next_seq_) == p.live.end();
  if (p.spec.command == Command::kConnect) connect_key_ = p.key;
  if (p.spec.command == Command::kReattach) reattach_key_ = p.key;
  if (!implied_by_stop) ++stats_.replies;
  completion_ = Completion{p.spec.command, std::move(reply), p.attempts, now - p.started, implied_by_stop};
  unresolved_resume_seq_.reset();
  pending_.reset();
}

void ClientEngine::count_outcome(bool retransmitted) {
  constexpr double kWeight = 1.0 / 16;  // about the last 16 requests
  failure_rate_ += kWeight * ((retransmitted ? 1.0 : 0.0) - failure_rate_);
}

void ClientEngine::on_datagram(const Datagram& datagram, Time now) {
  if (config_.trace) trace("<-- " + wire::describe_datagram(datagram.bytes));
  if (datagram.peer != config_.target)
    return discard(datagram, "from a foreign source " + to_string(datagram.peer));
  auto header = wire::decode_header(datagram.bytes);
  if (!header) return discard(datagram, "malformed: " + header.error().message());
  bool notification =
      header->command == Command::kException || header->command == Command::kTermination;
  if (!header->is_reply && notification) return on_notification(datagram, *header, now);
  if (!header->is_reply) return discard(datagram, "a request, not a reply");
  on_reply(datagram, *header, now);
}

void ClientEngine::on_reply(const Datagram& datagram, const wire::Header& header, Time now) {
  auto packet = wire::decode(datagram.bytes);
  if (!packet) return discard(datagram, "malformed: " + packet.error().message());
  if (is_connect_echo(header)) return on_connect_echo();
  if (header.command == Command::kReattach && reattach_key_ && header.key == *reattach_key_ && connect_key_)
    return on_reattach_echo();
  if (connect_key_ && ends_stop(header.command) && !issued_here(header.key)) return on_let_go(*packet);
  if (!pending_) return discard(datagram, "no request outstanding");
  const Pending& p = *pending_;
  bool sent_under = std::find(p.used.begin(), p.used.end(), header.seq) != p.used.end();
  if (header.command == p.spec.command && header.key == p.key && sent_under)
    return complete(std::move(packet).value(), header.seq, now, false);
  bool live = std::find(p.live.begin(), p.live.end(), header.seq) != p.live.end();
  if (live && !is_previous_conversation(header.key)) return on_foreign_reply(*packet, now);
  discard(datagram, "stale reply");
}

bool ClientEngine::is_connect_echo(const wire::Header& header) const {
  if (header.command != Command::kConnect || !connect_key_ || header.key != *connect_key_) return false;
  return !(pending_ && pending_->key == header.key);
}

void ClientEngine::on_connect_echo() {
  ++stats_.discarded;
  // Spec §4.3: the kernel answers a delayed duplicate of our CONNECT (same seq, ports and key)
  // as a retransmission and re-synchronises E to 1. A late copy of the first reply looks the
  // same, so this is only a suspicion: seq 1 is tried as well, until a request is answered.
  trace("   discarded: a late KDP_CONNECT reply: the kernel may expect seq 1 again");
  seq_certain_ = false;
  hazard_ = "a late KDP_CONNECT reply: a delayed duplicate CONNECT may have reset the kernel to seq 1";
  if (!pending_) {
    rewind_suspected_ = true;
    return;
  }
  if (pending_->spec.idempotent) also_send_under(1);
}

void ClientEngine::on_reattach_echo() {
  ++stats_.discarded;
  hazard_ = "a late KDP_REATTACH reply: a delayed duplicate REATTACH may have dropped this session";
  trace("   discarded: " + hazard_);
}

void ClientEngine::also_send_under(uint8_t seq) {
  add_live(seq);
  send_under(seq);
}

void ClientEngine::on_foreign_reply(const wire::Packet& reply, Time now) {
  Pending& p = *pending_;
  ++stats_.discarded;
  const wire::Header& h = reply.header;
  std::string what = "the kernel answered seq " + std::to_string(h.seq) + " with the reply to " +
                     "another request (" + wire::command_name(h.command) + ", key " + hex(h.key) + ")";
  if (p.spec.command == Command::kConnect && connect_key_ && p.key == *connect_key_ && issued_here(h.key)) {
    // The conversation's CONNECT, retransmitted to find out why the kernel fell silent, went out
    // as seq 0 and met a kernel whose E-1 is 0 (the conversation wrapped past 255): it replayed
    // its reply to our own request instead, so it still serves this conversation, expecting 1.
    trace("   the kernel replayed our own " + wire::command_name(h.command) + " reply for seq " +
          std::to_string(h.seq) + ": it still serves this conversation");
    complete(wire::make_reply(Command::kConnect, h.seq, p.key, wire::ErrorReply{0}), h.seq, now, true);
    completion_->still_ours = h.command;
    return;
  }
  if (!is_pure_query(h.command)) trace("   note: " + what + " changed the kernel's state under this session");
  if (!p.spec.idempotent) {
    trace("   discarded: " + what);
    p.evidence = what + ": another debugger may be attached";
    return;
  }
  // The kernel replays its cached reply only for E-1: E is past this seq, and our request was
  // not the one executed under it. Re-send under the seq the kernel expects now.
  auto next = static_cast<uint8_t>(h.seq + 1);
  trace("   discarded: " + what + "; re-sending as seq " + std::to_string(next));
  p.live.erase(std::find(p.live.begin(), p.live.end(), h.seq));
  also_send_under(next);
}

void ClientEngine::on_notification(const Datagram& datagram, const wire::Header& header, Time now) {
  acknowledge(header);
  auto packet = wire::decode(datagram.bytes);
  if (!packet) return discard(datagram, "malformed notification (acknowledged)");
  if (is_duplicate_notification(header.seq)) return discard(datagram, "duplicate notification");
  if (!stop_expected_) return discard(datagram, "notification while no stop was expected");
  next_notification_seq_ = static_cast<uint8_t>(header.seq + 1);
  stop_expected_ = false;
  ++stats_.exceptions;
  StopNotice notice;
  notice.seq = header.seq;
  if (auto* e = std::get_if<wire::ExceptionNotification>(&packet->body)) notice.exceptions = e->exceptions;
  if (auto* t = std::get_if<wire::TerminationNotification>(&packet->body)) notice.termination = *t;
  stops_.push_back(std::move(notice));
  if (pending_ && pending_->spec.completed_by_stop) {
    const Pending& p = *pending_;
    complete(wire::make_reply(p.spec.command, p.live.front(), p.key), p.live.front(), now, true);
  } else if (unresolved_resume_seq_) {
    next_seq_ = static_cast<uint8_t>(*unresolved_resume_seq_ + 1);
    seq_certain_ = true;
    unresolved_resume_seq_.reset();
  }
}

void ClientEngine::acknowledge(const wire::Header& header) {
  // Spec §4.8: 8 bytes, reply bit set, the notification's seq and key echoed.
  auto ack = wire::encode(wire::make_reply(header.command, header.seq, header.key));
  if (!ack) return;
  ++stats_.acks;
  emit(std::move(ack).value());
}

bool ClientEngine::is_duplicate_notification(uint8_t seq) const {
  // Behind the next expected seq (modulo 256, within half the space) means already seen.
  return static_cast<uint8_t>(seq - next_notification_seq_) >= 128;
}

bool ClientEngine::issued_here(uint32_t key) const { return key - origin_key_ < next_key_ - origin_key_; }

// The kernel sends replies to the reply port of the session it serves: a RESUMECPUS or DISCONNECT
// reply under a key this engine never issued, on our port, is a delayed request of an earlier
// debugger process that the kernel ran as ours (it does not check who sends). The kernel runs:
// the request waits (a kernel that stops again reports to us and serves us), and if it times
// out, its error says why.
void ClientEngine::on_let_go(const wire::Packet& reply) {
  ++stats_.discarded;
  const wire::Header& h = reply.header;
  hazard_ = "the kernel ran a delayed " + wire::command_name(h.command) + " (key " + hex(h.key) +
            ") of another debugger session as seq " + std::to_string(h.seq) + " of this one";
  trace("   discarded: " + hazard_);
}

bool ClientEngine::is_previous_conversation(uint32_t key) const {
  return key - origin_key_ < conversation_first_key_ - origin_key_;
}

void ClientEngine::restart_sequence() {
  next_seq_ = 0;
  seq_certain_ = true;
  conversation_first_key_ = next_key_;
  unresolved_resume_seq_.reset();
  connect_key_.reset();
  rewind_suspected_ = false;
  hazard_.clear();
}

void ClientEngine::resume_conversation(uint8_t next_seq, uint32_t connect_key, uint8_t next_notification) {
  restart_sequence();
  reset_notifications();
  next_notification_seq_ = next_notification;
  next_seq_ = next_seq;
  connect_key_ = connect_key;
  origin_key_ = connect_key;  // the earlier engine's keys: issued by us, and stale
  conversation_first_key_ = config_.first_key;
}

void ClientEngine::reset_notifications() {
  next_notification_seq_ = 0;
  stop_expected_ = false;
  stops_.clear();
}

void ClientEngine::discard(const Datagram& datagram, std::string_view why) {
  ++stats_.discarded;
  if (config_.trace) trace("   discarded: " + std::string(why));
}

void ClientEngine::emit(Bytes bytes) {
  if (config_.trace) trace("--> " + wire::describe_datagram(bytes));
  outgoing_.push_back(Datagram{config_.target, std::move(bytes)});
}

void ClientEngine::trace(std::string_view line) const {
  if (config_.trace) config_.trace(line);
}

std::vector<Datagram> ClientEngine::take_outgoing() { return std::exchange(outgoing_, {}); }

std::optional<Completion> ClientEngine::take_completion() { return std::exchange(completion_, std::nullopt); }

std::optional<StopNotice> ClientEngine::take_stop() {
  if (stops_.empty()) return std::nullopt;
  StopNotice n = std::move(stops_.front());
  stops_.pop_front();
  return n;
}

}  // namespace kdp::client
