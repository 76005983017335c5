// Internal to kdp_wire: the 8-byte kdp_hdr_t (spec §2) and the datagram-level checks that come
// before any body is looked at.
#pragma once

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/wire/packet.h"

namespace kdp::wire::detail {

inline constexpr uint8_t kReplyBit = 0x80;
inline constexpr size_t kLenOffset = 2;

// Writes the header with len 0; the encoder patches len once the body is written.
void write_header(ByteWriter& w, const Header& header);

// The header of a datagram whose len field equals its size; what decode() starts from.
Expected<Header> decode_framed_header(ByteView datagram);

}  // namespace kdp::wire::detail
