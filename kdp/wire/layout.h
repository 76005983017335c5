// Internal to kdp_wire: which body shape belongs to each (command, direction), shared by the
// encoder, the decoder and describe() so the three can never disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "kdp/wire/packet.h"

namespace kdp::wire::detail {

// KDP_DUMPINFO's fixed-width, NUL-padded string fields.
inline constexpr size_t kDumpNameWidth = 50;
inline constexpr size_t kDumpIpWidth = 16;

// The variant index of body type T, for comparing against Body::index().
template <class T, size_t I = 0>
constexpr size_t body_index_of() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Body>, T>)
    return I;
  else
    return body_index_of<T, I + 1>();
}

// The body shape a packet must carry, or nullopt when the packet does not exist
// (a KDP_HOSTREBOOT reply, or a code >= 0x20).
std::optional<size_t> expected_body(uint8_t code, bool is_reply);

// "ConnectRequest" for a Body index, for encode()'s type-mismatch error.
std::string_view body_type_name(size_t index);

// READMEM, WRITEMEM and BREAKPOINT_SET/REMOVE carry a u32 address; their 64-bit siblings a u64.
bool has_u32_address(Command command);

// "KDP_READMEM64 request", "KDP_READMEM64 reply", "KDP_EXCEPTION notification", "KDP_EXCEPTION ack":
// how errors name a packet.
std::string packet_label(Command command, bool is_reply);

}  // namespace kdp::wire::detail
