// The KDP wire codec: the only place where packets become bytes and bytes become packets.
#pragma once

#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/wire/packet.h"

namespace kdp::wire {

// Bytes for a packet; header.len is computed. Fails (kUsage) when the body type does not belong to
// (command, is_reply), when a 32-bit command is given an address above 4 GiB, or when the result
// would exceed kMaxPacketSize.
Expected<Bytes> encode(const Packet& packet);

// A typed packet from one datagram. Fails (kMalformed) with the field, its offset, and expected vs
// found: short header, len != datagram size, truncated body, trailing bytes where the layout is
// fixed, unknown code (>= 0x20). Never reads outside `datagram`.
Expected<Packet> decode(ByteView datagram);

// Only the 8-byte header (used to route a datagram before a full decode, e.g. exception acks whose
// len LLDB sets to 28 on an 8-byte datagram).
Expected<Header> decode_header(ByteView datagram);

// One line of text for any packet in either direction, e.g.
//   "KDP_READMEM64 seq=3 key=0x0 address=0xffffff8000200000 nbytes=512"
//   "KDP_READMEM64 reply seq=3 key=0x0 error=KDPERR_NO_ERROR data=512 bytes"
std::string describe(const Packet& packet);
// describe() of decode(datagram), or "malformed (<len> bytes): <error>" — never fails.
std::string describe_datagram(ByteView datagram);

}  // namespace kdp::wire
