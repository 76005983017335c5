// The agent's socket frames (cli/agent/frames.h): arbitrary bytes from a client or an agent,
// delivered in arbitrary pieces, must give frames or an error, never a crash, and every frame's
// payload must decode or fail cleanly.
#include <cstddef>
#include <cstdint>

#include "cli/agent/frames.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdp::cli::agent;
  FrameReader reader;
  const size_t split = size == 0 ? 0 : data[0] % (size + 1);
  reader.feed(kdp::ByteView(data, split));
  for (int round = 0; round < 2; ++round) {
    for (;;) {
      auto frame = reader.next();
      if (!frame || !*frame) break;
      const kdp::ByteView payload = (*frame)->payload;
      (void)decode_request(payload);
      (void)decode_exit(payload);
      (void)decode_info(payload);
    }
    reader.feed(kdp::ByteView(data + split, size - split));
  }
  (void)decode_request(kdp::ByteView(data, size));
  (void)decode_info(kdp::ByteView(data, size));
  return 0;
}
