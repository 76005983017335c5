#include "kdp/pcap/replay.h"

#include <algorithm>
#include <variant>

namespace kdp::pcap {
namespace {

using wire::Command;

bool succeeded(const Exchange& e) {
  if (!e.reply_packet) return false;
  const auto* reply = std::get_if<wire::ErrorReply>(&e.reply_packet->body);
  return reply && reply->error == 0;
}

void apply_memory_read(const Exchange& e, ReplayState& s) {
  const auto* request = std::get_if<wire::MemReadRequest>(&e.request_packet.body);
  const auto* reply = std::get_if<wire::DataReply>(&e.reply_packet->body);
  if (!request || !reply) return;
  ++s.memory_replies;
  s.memory.store(request->address, reply->data);
  // Short: the kernel stopped at the first byte it could not read (error 0 on 10.7, 4 on 10.9+).
  // error 2 (BAD_NBYTES) says nothing about the memory.
  if (reply->data.size() < request->nbytes && reply->error != static_cast<uint32_t>(wire::KdpError::kBadNbytes))
    s.memory.mark_unreadable(request->address + reply->data.size());
}

void apply_registers(const Exchange& e, ReplayState& s) {
  const auto* request = std::get_if<wire::ReadRegsRequest>(&e.request_packet.body);
  const auto* reply = std::get_if<wire::DataReply>(&e.reply_packet->body);
  if (!request || !reply || reply->error != 0) return;
  if (request->flavor == wire::kThreadState64Flavor) {
    if (auto state = wire::X86ThreadState64::decode(reply->data)) s.registers = *state;
  } else if (request->flavor == wire::kFloatState64Flavor) {
    s.float_state = reply->data;
  }
}

void apply_writes(const Exchange& e, ReplayState& s) {
  if (!succeeded(e)) return;
  if (const auto* w = std::get_if<wire::MemWriteRequest>(&e.request_packet.body)) {
    s.memory.store(w->address, w->data);
  } else if (const auto* r = std::get_if<wire::WriteRegsRequest>(&e.request_packet.body)) {
    if (r->flavor != wire::kThreadState64Flavor) return;
    if (auto state = wire::X86ThreadState64::decode(r->state)) s.registers = *state;
  }
}

void apply_facts(const Exchange& e, ReplayState& s) {
  const wire::Body& body = e.reply_packet->body;
  if (const auto* v = std::get_if<wire::VersionReply>(&body)) {
    s.version = v->version;
    s.feature = v->feature;
  } else if (const auto* h = std::get_if<wire::HostInfoReply>(&body)) {
    s.host_info = *h;
  } else if (const auto* k = std::get_if<wire::KernelVersionReply>(&body)) {
    s.kernel_version = k->version;
  } else if (const auto* m = std::get_if<wire::MaxBytesReply>(&body)) {
    s.max_bytes = m->max_bytes;
  }
}

void apply(const Exchange& e, ReplayState& s) {
  if (!e.reply_packet) return;
  switch (e.request_packet.header.command) {
    case Command::kReadMem:
    case Command::kReadMem64: return apply_memory_read(e, s);
    case Command::kReadRegs: return apply_registers(e, s);
    case Command::kWriteMem:
    case Command::kWriteMem64:
    case Command::kWriteRegs: return apply_writes(e, s);
    default: return apply_facts(e, s);
  }
}

}  // namespace

ReplayState build_replay(const Capture& capture, const Exchanges& exchanges) {
  ReplayState s;
  s.source = capture.name;
  // Requests are applied in the order their replies arrived: that is when the kernel's answer
  // was true, so a later observation of the same bytes wins.
  std::vector<const Exchange*> answered;
  for (const Exchange& e : exchanges.exchanges)
    if (e.reply) answered.push_back(&e);
  std::stable_sort(answered.begin(), answered.end(), [](const Exchange* a, const Exchange* b) { return *a->reply < *b->reply; });
  for (const Exchange* e : answered) apply(*e, s);
  for (const Notification& n : exchanges.notifications) {
    const auto* body = std::get_if<wire::ExceptionNotification>(&n.packet.body);
    if (n.duplicate || !body || body->exceptions.empty()) continue;
    const KdpDatagram& d = capture.datagrams[n.index];
    s.stops.push_back({d.number, d.time_ns, body->exceptions.front()});
  }
  return s;
}

Expected<ReplayState> load_replay(const std::string& path, const CaptureOptions& options) {
  KDP_TRY(Capture capture, load_capture(path, options));
  return build_replay(capture, pair_exchanges(capture));
}

}  // namespace kdp::pcap
