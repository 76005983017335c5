// kdpctl decode HEX...: describe one KDP datagram; no target needed.
#include <ostream>

#include "kdp/wire/codec.h"
#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/core/json_error.h"

namespace kdp::cli {
namespace {

// Accepts what hex dumps look like: "92 00 08 00", "92:00:08:00", "0x92000800", several words.
Expected<Bytes> parse_hex_words(const std::vector<std::string>& words) {
  std::string digits;
  for (std::string_view word : words) {
    if (word.starts_with("0x") || word.starts_with("0X")) word.remove_prefix(2);
    for (char c : word)
      if (c != ':' && c != ' ' && c != '\t' && c != '\n') digits += c;
  }
  auto bytes = from_hex_string(digits);
  if (!bytes) return usage_error("decode: " + bytes.error().message());
  return bytes;
}

Status run_decode(Invocation& inv) {
  if (inv.args.empty()) return usage_error("decode: expected the datagram's bytes in hex");
  KDP_TRY(Bytes bytes, parse_hex_words(inv.args));
  const std::string description = wire::describe_datagram(bytes);
  // A datagram that does not decode is still described (what was wrong, where), but the run fails.
  const bool decoded = wire::decode(bytes).has_value();
  const Error failed(ErrorKind::kMalformed, "decode: not a valid KDP datagram");
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("bytes", bytes.size()).field("hex", to_hex_string(bytes));
    j.field("description", description);
    if (!decoded) write_error_object(j.key("error"), failed);
    inv.out << j.end_object().str() << "\n";
  } else {
    inv.out << description << "\n";
  }
  if (decoded) return {};
  inv.json_printed = inv.global.json;
  return failed;
}

const CommandSpec kDecode{
    .name = "decode",
    .usage = "decode HEX...",
    .summary = "describe a KDP packet given as hex bytes (no target needed)",
    .run = run_decode,
};

}  // namespace

const CommandSpec& decode_command() { return kDecode; }
}  // namespace kdp::cli
