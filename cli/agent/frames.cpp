#include "cli/agent/frames.h"

namespace kdp::cli::agent {
namespace {

constexpr uint32_t kMaxArgs = 4096;

bool known_type(uint8_t type) {
  switch (static_cast<FrameType>(type)) {
    case FrameType::kRequest:
    case FrameType::kInterrupt:
    case FrameType::kStatus:
    case FrameType::kRelease:
    case FrameType::kWaiting:
    case FrameType::kFileDone:
    case FrameType::kFileBegin:
    case FrameType::kFileData:
    case FrameType::kFileEnd:
    case FrameType::kAccepted:
    case FrameType::kBusy:
    case FrameType::kOut:
    case FrameType::kErr:
    case FrameType::kExit:
    case FrameType::kInfo:
      return true;
  }
  return false;
}

void put_string(ByteWriter& w, std::string_view s) {
  w.u32be(static_cast<uint32_t>(s.size()));
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

Expected<std::string> get_string(ByteReader& r, std::string_view field) {
  KDP_TRY(uint32_t size, r.u32be(field));
  KDP_TRY(ByteView bytes, r.bytes(size, field));
  return std::string(bytes.begin(), bytes.end());
}

Status expect_end(const ByteReader& r) {
  if (r.at_end()) return {};
  return Error(ErrorKind::kMalformed, std::string(r.what()) + ": " + std::to_string(r.remaining()) + " bytes too many");
}

}  // namespace

Bytes encode_frame(FrameType type, ByteView payload) {
  ByteWriter w;
  w.u32be(static_cast<uint32_t>(payload.size() + 1));
  w.u8(static_cast<uint8_t>(type));
  w.bytes(payload);
  return std::move(w).take();
}

Bytes encode_text_frame(FrameType type, std::string_view text) {
  return encode_frame(type, ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Bytes encode_request(const Request& request) {
  ByteWriter w;
  w.u8(kProtocolVersion);
  w.u32be(static_cast<uint32_t>(request.argv.size()));
  for (const std::string& arg : request.argv) put_string(w, arg);
  put_string(w, request.cwd);
  w.u8(request.stderr_terminal ? 1 : 0);
  Bytes payload = std::move(w).take();
  return encode_frame(FrameType::kRequest, payload);
}

Bytes encode_exit(int code) {
  ByteWriter w;
  w.u32be(static_cast<uint32_t>(code));
  Bytes payload = std::move(w).take();
  return encode_frame(FrameType::kExit, payload);
}

Bytes encode_info(const AgentInfo& info) {
  ByteWriter w;
  w.u32be(info.pid);
  w.u64(info.idle_ms, Endian::kBig);
  w.u8(static_cast<uint8_t>(info.session));
  put_string(w, info.target);
  Bytes payload = std::move(w).take();
  return encode_frame(FrameType::kInfo, payload);
}

Expected<std::optional<Frame>> FrameReader::next() {
  ByteReader r(buffer_, "agent frame");
  if (r.remaining() < 4) return std::optional<Frame>{};
  KDP_TRY(uint32_t length, r.u32be("length"));
  if (length == 0 || length > kMaxFrame)
    return Error(ErrorKind::kMalformed, "agent frame: length " + std::to_string(length) + " out of range");
  if (r.remaining() < length) return std::optional<Frame>{};
  KDP_TRY(uint8_t type, r.u8("type"));
  if (!known_type(type)) return Error(ErrorKind::kMalformed, "agent frame: unknown type " + std::to_string(type));
  KDP_TRY(ByteView payload, r.bytes(length - 1, "payload"));
  Frame frame{static_cast<FrameType>(type), Bytes(payload.begin(), payload.end())};
  buffer_.erase(buffer_.begin(), buffer_.begin() + 4 + length);
  return std::optional<Frame>(std::move(frame));
}

Expected<Request> decode_request(ByteView payload) {
  ByteReader r(payload, "agent request");
  KDP_TRY(uint8_t version, r.u8("version"));
  if (version != kProtocolVersion)
    return Error(ErrorKind::kProtocol, "agent request: protocol version " + std::to_string(version) +
                                           ", this agent speaks " + std::to_string(kProtocolVersion));
  KDP_TRY(uint32_t count, r.u32be("argc"));
  if (count == 0 || count > kMaxArgs) return Error(ErrorKind::kMalformed, "agent request: argc " + std::to_string(count));
  Request request;
  for (uint32_t i = 0; i < count; ++i) {
    KDP_TRY(std::string arg, get_string(r, "argv"));
    request.argv.push_back(std::move(arg));
  }
  KDP_TRY(request.cwd, get_string(r, "cwd"));
  if (!r.at_end()) {
    KDP_TRY(uint8_t flags, r.u8("flags"));
    if ((flags & ~1) != 0) return Error(ErrorKind::kMalformed, "agent request: unknown flags " + std::to_string(flags));
    request.stderr_terminal = (flags & 1) != 0;
  }
  KDP_TRY_STATUS(expect_end(r));
  return request;
}

Expected<int> decode_exit(ByteView payload) {
  ByteReader r(payload, "agent exit frame");
  KDP_TRY(uint32_t code, r.u32be("code"));
  KDP_TRY_STATUS(expect_end(r));
  if (code > 255) return Error(ErrorKind::kMalformed, "agent exit frame: exit code " + std::to_string(code));
  return static_cast<int>(code);
}

Expected<AgentInfo> decode_info(ByteView payload) {
  ByteReader r(payload, "agent info frame");
  AgentInfo info;
  KDP_TRY(info.pid, r.u32be("pid"));
  KDP_TRY(info.idle_ms, r.u64("idle_ms", Endian::kBig));
  KDP_TRY(uint8_t session, r.u8("session"));
  if (session > 2) return Error(ErrorKind::kMalformed, "agent info frame: session state " + std::to_string(session));
  info.session = static_cast<SessionState>(session);
  KDP_TRY(info.target, get_string(r, "target"));
  KDP_TRY_STATUS(expect_end(r));
  return info;
}

}  // namespace kdp::cli::agent
