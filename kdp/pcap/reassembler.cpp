#include "kdp/pcap/reassembler.h"

#include <algorithm>

namespace kdp::pcap {

bool Reassembler::complete(const Pending& p) {
  if (!p.total) return false;
  return std::all_of(p.have.begin(), p.have.begin() + *p.total, [](bool b) { return b; });
}

Expected<std::optional<Reassembler::Done>> Reassembler::add(const IpPacket& ip, uint64_t packet_number) {
  const uint64_t end = uint64_t{ip.fragment_offset} + ip.payload.size();
  if (end > kMaxDatagram)
    return malformed("IP fragment at offset " + std::to_string(ip.fragment_offset) + " ends beyond 64 KiB");
  const Key key{ip.source, ip.destination, ip.protocol, ip.fragment_id};
  auto [it, inserted] = pending_.try_emplace(key);
  Pending& p = it->second;
  if (inserted) {
    p.first_number = packet_number;
    p.order = next_order_++;
  }
  if (p.bytes.size() < end) {
    p.bytes.resize(end);
    p.have.resize(end, false);
  }
  for (uint64_t i = 0; i < ip.payload.size(); ++i) {
    const uint64_t at = ip.fragment_offset + i;
    if (p.have[at]) continue;  // overlapping fragment: the first copy wins
    p.bytes[at] = ip.payload[i];
    p.have[at] = true;
  }
  if (!ip.more_fragments) p.total = static_cast<uint32_t>(end);
  if (complete(p)) {
    Done done{std::move(p.bytes), p.first_number};
    done.payload.resize(*p.total);
    pending_.erase(it);
    return std::optional<Done>(std::move(done));
  }
  if (pending_.size() > kMaxPending) {
    auto oldest = std::min_element(pending_.begin(), pending_.end(),
                                   [](const auto& a, const auto& b) { return a.second.order < b.second.order; });
    pending_.erase(oldest);
    ++abandoned_;
  }
  return std::optional<Done>();
}

std::vector<std::string> Reassembler::incomplete() const {
  std::vector<std::string> out;
  for (const auto& [key, p] : pending_)
    out.push_back(to_string(std::get<0>(key)) + " -> " + to_string(std::get<1>(key)) + " id " +
                  hex(std::get<3>(key)) + " (first fragment in packet " + std::to_string(p.first_number) + ")");
  return out;
}

}  // namespace kdp::pcap
