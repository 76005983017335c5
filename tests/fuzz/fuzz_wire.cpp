// Fuzz target for the KDP wire codec. Properties checked on every input:
//   * describe_datagram() and decode_header() never crash, whatever the bytes;
//   * describe_datagram() of a decodable datagram equals describe() of its packet;
//   * a decoded packet re-encodes, and decoding that again gives the same packet;
//   * the re-encoded bytes equal the input, except for the two documented lenient cases:
//     a request with trailing bytes after its layout (xnu ignores them, so decode() does), and
//     DUMPINFO's fixed-width strings, whose bytes after the first NUL are not kept.
#include <cstdio>
#include <cstdlib>
#include <variant>

#include "kdp/wire/codec.h"

using namespace kdp;
using namespace kdp::wire;

namespace {

[[noreturn]] void fail(const char* what, ByteView input) {
  std::fprintf(stderr, "fuzz_wire: %s\ninput: %s\n", what, to_hex_string(input).c_str());
  std::abort();
}

bool lenient_difference(const Packet& packet, ByteView input, const Bytes& encoded) {
  bool trailing_request = !packet.header.is_reply && encoded.size() < input.size();
  return trailing_request || std::holds_alternative<DumpInfo>(packet.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  std::string line = describe_datagram(input);
  (void)decode_header(input);

  Expected<Packet> packet = decode(input);
  if (!packet) return 0;
  if (describe(*packet) != line) fail("describe_datagram differs from describe(decode())", input);

  Expected<Bytes> encoded = encode(*packet);
  if (!encoded) fail(("re-encode failed: " + encoded.error().message()).c_str(), input);
  bool same_bytes = encoded->size() == size && std::equal(encoded->begin(), encoded->end(), data);
  if (!same_bytes && !lenient_difference(*packet, input, *encoded))
    fail("re-encoded bytes differ from the input", input);

  Expected<Packet> again = decode(*encoded);
  if (!again) fail(("re-decode failed: " + again.error().message()).c_str(), input);
  again->header.len = packet->header.len;
  if (!(*again == *packet)) fail("re-decoded packet differs", input);
  return 0;
}
