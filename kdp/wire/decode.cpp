// decode(): datagram bytes -> Packet, reading every field through ByteReader so errors name the
// packet, the field and its absolute offset.
//
// Length policy (spec §3.3): xnu accepts a request when len == datagram size and
// len >= sizeof(request struct), ignoring anything after the struct. decode() does the same for
// requests so that a simulator built on it answers exactly what the kernel answers; the ignored
// bytes do not survive a re-encode. Replies and acks have no such slack: they must end exactly after
// their last field. Where a count field sizes the rest (WRITEMEM nbytes, REGIONS nregions,
// EXCEPTION n_exc_info) the count must match the bytes present, in either direction.
#include <utility>

#include "kdp/wire/body_readers.h"
#include "kdp/wire/codec.h"
#include "kdp/wire/header.h"
#include "kdp/wire/layout.h"

namespace kdp::wire {
namespace detail {

Expected<uint64_t> read_address(ByteReader& r, Command command) {
  if (!has_u32_address(command)) return r.u64("address");
  KDP_TRY(uint32_t address, r.u32("address"));
  return address;
}

Status check_count(const ByteReader& r, std::string_view field, uint64_t at, uint64_t count,
                   uint64_t unit) {
  uint64_t wanted = count * unit;  // count < 2^32 and unit <= 16: cannot overflow
  if (wanted == r.remaining()) return {};
  std::string says = std::to_string(count);
  if (unit != 1) says += " (" + std::to_string(wanted) + " bytes)";
  return malformed(std::string(r.what()) + ": " + std::string(field) + " at offset " + hex(at) +
                   " says " + says + " but " + std::to_string(r.remaining()) + " bytes follow");
}

Expected<Bytes> read_counted_data(ByteReader& r, uint64_t nbytes_at, uint64_t nbytes) {
  KDP_TRY_STATUS(check_count(r, "nbytes", nbytes_at, nbytes, 1));
  ByteView data = r.rest();
  return Bytes(data.begin(), data.end());
}

Bytes read_rest(ByteReader& r) {
  ByteView data = r.rest();
  return Bytes(data.begin(), data.end());
}

}  // namespace detail

namespace {

using detail::Tag;

template <class T>
Expected<Body> read_as(ByteReader& r, Command command) {
  KDP_TRY(T body, detail::read_body(Tag<T>{}, r, command));
  return Body(std::move(body));
}

// Runtime Body index -> the read_body overload for that alternative.
template <size_t... I>
Expected<Body> read_by_index(size_t index, ByteReader& r, Command command,
                             std::index_sequence<I...>) {
  using Reader = Expected<Body> (*)(ByteReader&, Command);
  static constexpr Reader kReaders[] = {&read_as<std::variant_alternative_t<I, Body>>...};
  return kReaders[index](r, command);
}

Status check_no_trailing_bytes(const ByteReader& r, const Header& header) {
  if (r.at_end() || !header.is_reply) return {};  // requests: ignored, see the top of the file
  return malformed(std::string(r.what()) + ": " + std::to_string(r.remaining()) +
                   " trailing bytes at offset " + hex(r.absolute_offset()));
}

}  // namespace

Expected<Packet> decode(ByteView datagram) {
  KDP_TRY(Header header, detail::decode_framed_header(datagram));
  std::optional<size_t> shape =
      detail::expected_body(static_cast<uint8_t>(header.command), header.is_reply);
  if (!shape) return malformed(command_name(header.command) + " has no reply");
  ByteReader r(datagram, detail::packet_label(header.command, header.is_reply));
  KDP_TRY_STATUS(r.skip(kHeaderSize, "header"));
  KDP_TRY(Body body, read_by_index(*shape, r, header.command,
                                   std::make_index_sequence<std::variant_size_v<Body>>{}));
  KDP_TRY_STATUS(check_no_trailing_bytes(r, header));
  return Packet{header, std::move(body)};
}

}  // namespace kdp::wire
