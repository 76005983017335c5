// encode(): Packet -> datagram bytes. Checks that the body is the shape of (command, direction),
// writes the header, lets write_body() lay out the body, then patches len.
#include <limits>

#include "kdp/wire/body_writers.h"
#include "kdp/wire/codec.h"
#include "kdp/wire/header.h"
#include "kdp/wire/layout.h"

namespace kdp::wire {
namespace detail {

Status BodyWriter::address(uint64_t address) {
  if (!has_u32_address(command)) {
    out.u64(address);
    return {};
  }
  if (address > std::numeric_limits<uint32_t>::max())
    return usage_error(label + ": address " + hex(address) +
                       " does not fit the 32-bit address field (use the 64-bit command)");
  out.u32(static_cast<uint32_t>(address));
  return {};
}

Status BodyWriter::c_string(std::string_view s, std::string_view field) {
  if (s.find('\0') != std::string_view::npos)
    return usage_error(label + ": " + std::string(field) + " contains a NUL byte");
  out.c_string(s);
  return {};
}

Status BodyWriter::fixed_string(std::string_view s, size_t width, std::string_view field) {
  if (s.size() > width)
    return usage_error(label + ": " + std::string(field) + " is " + std::to_string(s.size()) +
                       " bytes, the field holds " + std::to_string(width));
  if (s.find('\0') != std::string_view::npos)
    return usage_error(label + ": " + std::string(field) + " contains a NUL byte");
  out.fixed_string(s, width);
  return {};
}

}  // namespace detail

namespace {

Status check_shape(const Packet& packet) {
  uint8_t code = static_cast<uint8_t>(packet.header.command);
  if (code >= kInvalidRequest) return usage_error("unknown command code " + hex(code));
  std::optional<size_t> expected = detail::expected_body(code, packet.header.is_reply);
  if (!expected) return usage_error(command_name(code) + " has no reply");
  if (packet.body.index() != *expected)
    return usage_error(detail::packet_label(packet.header.command, packet.header.is_reply) +
                       ": body is " + std::string(detail::body_type_name(packet.body.index())) +
                       ", expected " + std::string(detail::body_type_name(*expected)));
  return {};
}

}  // namespace

Expected<Bytes> encode(const Packet& packet) {
  KDP_TRY_STATUS(check_shape(packet));
  detail::BodyWriter writer{packet.header.command,
                            detail::packet_label(packet.header.command, packet.header.is_reply),
                            ByteWriter()};
  detail::write_header(writer.out, packet.header);
  KDP_TRY_STATUS(std::visit([&](const auto& body) { return detail::write_body(body, writer); },
                            packet.body));
  if (writer.out.size() > kMaxPacketSize)
    return usage_error(writer.label + ": " + std::to_string(writer.out.size()) +
                       " bytes exceed the " + std::to_string(kMaxPacketSize) +
                       "-byte maximum packet size");
  writer.out.patch_u16(detail::kLenOffset, static_cast<uint16_t>(writer.out.size()));
  return std::move(writer.out).take();
}

}  // namespace kdp::wire
