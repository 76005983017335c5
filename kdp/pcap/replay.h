// The target's state rebuilt from a capture, for `kdpctl --replay` and `kdp-sim --from-pcap`:
// memory from READMEM/READMEM64 replies matched to their requests (any chunking, any order,
// retransmissions and duplicates), registers from READREGS, and the facts of the handshake
// (VERSION, HOSTINFO, KERNELVERSION, MAXBYTES) and every stop (KDP_EXCEPTION). A fact the capture
// does not hold stays empty; nothing is guessed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/pcap/capture.h"
#include "kdp/pcap/captured_memory.h"
#include "kdp/pcap/exchange.h"
#include "kdp/wire/packet.h"
#include "kdp/wire/x86_state.h"

namespace kdp::pcap {

struct ReplayStop {
  uint64_t number = 0;  // capture packet number of the notification
  int64_t time_ns = 0;
  wire::ExceptionInfo info;
};

struct ReplayState {
  std::string source;  // the capture's name
  std::optional<uint32_t> version;
  std::optional<uint32_t> feature;
  std::optional<wire::HostInfoReply> host_info;
  std::optional<std::string> kernel_version;
  std::optional<uint32_t> max_bytes;
  std::optional<wire::X86ThreadState64> registers;  // the last flavor-4 state (READREGS/WRITEREGS)
  std::optional<Bytes> float_state;                 // the last flavor-5 state
  std::vector<ReplayStop> stops;
  CapturedMemory memory;
  uint64_t memory_replies = 0;  // READMEM* replies used
};

// Never fails on content: undecodable datagrams were already set aside by pair_exchanges.
ReplayState build_replay(const Capture& capture, const Exchanges& exchanges);

// load_capture + pair_exchanges + build_replay.
Expected<ReplayState> load_replay(const std::string& path, const CaptureOptions& options = {});

}  // namespace kdp::pcap
