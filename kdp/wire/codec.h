// The KDP wire codec: the only place where packets become bytes and bytes become packets.
#pragma once

#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/wire/packet.h"

namespace kdp::wire {

// Bytes for a packet; header.len is computed (the input's len is ignored). Fails (kUsage) when the
// code is unknown or the packet does not exist (a KDP_HOSTREBOOT reply), when the body type does not
// belong to (command, is_reply), when a 32-bit command is given an address above 4 GiB, when a
// string cannot be carried (embedded NUL, or longer than a DUMPINFO field), or when the result
// would exceed kMaxPacketSize.
Expected<Bytes> encode(const Packet& packet);

// A typed packet from one datagram. Fails (kMalformed) with the packet, the field, its offset, and
// expected vs found: datagram above kMaxPacketSize, short header, len != datagram size, unknown
// code (>= 0x20), a reply that does not exist (KDP_HOSTREBOOT), truncated body, a count field
// (nbytes, nregions, n_exc_info) that disagrees with the bytes present, an unterminated string.
// Length policy: like xnu, a request may carry bytes after its layout, which are ignored (so they
// do not survive a re-encode); replies and acks must end exactly after their last field.
// Never reads outside `datagram`.
Expected<Packet> decode(ByteView datagram);

// Only the 8-byte header: fails when fewer than 8 bytes or an unknown code, but does NOT check len
// against the datagram size. For routing a datagram decode() rejects, e.g. an exception ack whose
// len LLDB sets to 28 on an 8-byte datagram (the kernel never checks an ack's len).
Expected<Header> decode_header(ByteView datagram);

// One line of text for any packet in either direction, e.g.
//   "KDP_READMEM64 seq=3 key=0x0 address=0xffffff8000200000 nbytes=512"
//   "KDP_READMEM64 reply seq=3 key=0x0 error=KDPERR_NO_ERROR data=512 bytes"
std::string describe(const Packet& packet);
// describe() of decode(datagram), or "malformed (<len> bytes): <error>" — never fails.
std::string describe_datagram(ByteView datagram);

}  // namespace kdp::wire
