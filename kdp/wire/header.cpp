#include "kdp/wire/header.h"

#include "kdp/wire/codec.h"

namespace kdp::wire {
namespace detail {

void write_header(ByteWriter& w, const Header& header) {
  uint8_t code = static_cast<uint8_t>(header.command);
  w.u8(header.is_reply ? code | kReplyBit : code);
  w.u8(header.seq);
  w.u16(0);
  w.u32(header.key);
}

Expected<Header> decode_framed_header(ByteView datagram) {
  // Checked before the header so that no caller ever has to think about giant datagrams: encode()
  // cannot produce them and the kernel's 1518-byte frame buffer cannot receive them.
  if (datagram.size() > kMaxPacketSize)
    return malformed("datagram of " + std::to_string(datagram.size()) + " bytes exceeds the " +
                     std::to_string(kMaxPacketSize) + "-byte KDP maximum");
  KDP_TRY(Header header, decode_header(datagram));
  if (header.len != datagram.size())
    return malformed("datagram of " + std::to_string(datagram.size()) +
                     " bytes: header len field says " + std::to_string(header.len));
  return header;
}

}  // namespace detail

// Checks only what every router needs: 8 bytes and a known code. The len field is reported, not
// checked, because xnu accepts exception acks whatever their len (LLDB sends 28 in 8 bytes).
Expected<Header> decode_header(ByteView datagram) {
  if (datagram.size() < kHeaderSize)
    return malformed("datagram of " + std::to_string(datagram.size()) +
                     " bytes is shorter than the 8-byte KDP header");
  ByteReader r(datagram, "KDP header");
  KDP_TRY(uint8_t first, r.u8("request"));
  uint8_t code = first & ~detail::kReplyBit;
  if (code >= kInvalidRequest) return malformed("unknown command code " + hex(code));
  Header header;
  header.command = static_cast<Command>(code);
  header.is_reply = (first & detail::kReplyBit) != 0;
  KDP_TRY(header.seq, r.u8("seq"));
  KDP_TRY(header.len, r.u16("len"));
  KDP_TRY(header.key, r.u32("key"));
  return header;
}

}  // namespace kdp::wire
