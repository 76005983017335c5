// The messages between a kdpctl client and its agent over the Unix socket. Every frame is
//   u32 length (big-endian, of what follows) | u8 type | payload
// and both sides treat what they receive as untrusted: frames are parsed with ByteReader, sizes
// are bounded (kMaxFrame), and an unknown type or a short payload is an error, never a crash.
//
//   client -> agent  kRequest    u8 version | u32 count | count x (u32 len | bytes) argv | u32 len | cwd
//                                [| u8 flags: bit 0, the client's stderr is a terminal (absent: 0)]
//                    kInterrupt  (empty)    Ctrl-C in the client: interrupt the running command
//                    kStatus     (empty)    `kdpctl status` asks who the agent is
//                    kFileDone   text       the file of kFileEnd is written (empty), else why not
//                    kRelease    (empty)    let go of the kernel (a direct command needs it): in
//                                           its turn, take the breakpoints out, answer kExit, exit
//   agent -> client  kAccepted   (empty)    the command runs now
//                    kWaiting    text       queued behind other commands; it runs in its turn
//                    kBusy       text       another command is running; try again (older agents)
//                    kOut/kErr   bytes      the command's stdout / stderr, in order
//                    kExit       u32 code   the command's exit code; the last frame
//                    kFileBegin  text       a file the user named for output (dump -o FILE): its path,
//                    kFileData   bytes        then its bytes in pieces,
//                    kFileEnd    (empty)      then the client writes it and answers kFileDone
//                    kInfo       u32 pid | u64 idle_ms | u8 session | text target
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::cli::agent {

inline constexpr uint8_t kProtocolVersion = 1;
inline constexpr uint32_t kMaxFrame = 16 * 1024 * 1024;

enum class FrameType : uint8_t {
  kRequest = 1,
  kInterrupt = 2,
  kStatus = 3,
  kRelease = 4,
  kFileDone = 5,
  kAccepted = 16,
  kBusy = 17,
  kOut = 18,
  kErr = 19,
  kExit = 20,
  kInfo = 21,
  kWaiting = 22,
  kFileBegin = 23,
  kFileData = 24,
  kFileEnd = 25,
};

struct Frame {
  FrameType type{};
  Bytes payload;
};

struct Request {
  std::vector<std::string> argv;
  std::string cwd;
  bool stderr_terminal = false;  // the client's stderr is a terminal: draw progress bars there
};

enum class SessionState : uint8_t { kNone = 0, kStopped = 1, kRunning = 2 };

struct AgentInfo {
  uint32_t pid = 0;
  uint64_t idle_ms = 0;
  SessionState session = SessionState::kNone;
  std::string target;
};

Bytes encode_frame(FrameType type, ByteView payload);
Bytes encode_text_frame(FrameType type, std::string_view text);
Bytes encode_request(const Request& request);
Bytes encode_exit(int code);
Bytes encode_info(const AgentInfo& info);

// Frames arrive in pieces: feed() what the socket gave, next() takes a complete frame if there
// is one. A length over kMaxFrame or an unknown type is kMalformed (the connection is dropped).
class FrameReader {
 public:
  void feed(ByteView bytes) { buffer_.insert(buffer_.end(), bytes.begin(), bytes.end()); }
  Expected<std::optional<Frame>> next();

 private:
  Bytes buffer_;
};

Expected<Request> decode_request(ByteView payload);
Expected<int> decode_exit(ByteView payload);
Expected<AgentInfo> decode_info(ByteView payload);

}  // namespace kdp::cli::agent
