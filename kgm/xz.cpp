#include "kgm/xz.h"

#include <lzma.h>

namespace kdp::kgm {
namespace {

constexpr uint64_t kDecoderMemoryLimit = uint64_t{256} << 20;

std::string lzma_reason(lzma_ret r) {
  switch (r) {
    case LZMA_FORMAT_ERROR: return "not xz data";
    case LZMA_DATA_ERROR: return "corrupt xz data";
    case LZMA_BUF_ERROR: return "truncated xz data";
    case LZMA_MEMLIMIT_ERROR: return "xz data needs more than 256 MiB to decode";
    case LZMA_OPTIONS_ERROR: return "unsupported xz options";
    case LZMA_MEM_ERROR: return "out of memory";
    default: return "xz decoder error " + std::to_string(static_cast<int>(r));
  }
}

struct Stream {
  lzma_stream s = LZMA_STREAM_INIT;
  ~Stream() { lzma_end(&s); }
};

}  // namespace

Expected<std::string> xz_decompress(ByteView input, uint64_t max_output, std::string_view what) {
  Stream stream;
  lzma_ret r = lzma_stream_decoder(&stream.s, kDecoderMemoryLimit, LZMA_CONCATENATED);
  if (r != LZMA_OK) return malformed(std::string(what) + ": " + lzma_reason(r));
  stream.s.next_in = input.data();
  stream.s.avail_in = input.size();
  std::string out;
  uint8_t chunk[64 * 1024];
  do {
    stream.s.next_out = chunk;
    stream.s.avail_out = sizeof chunk;
    r = lzma_code(&stream.s, LZMA_FINISH);
    const size_t produced = sizeof chunk - stream.s.avail_out;
    if (out.size() + produced > max_output)
      return usage_error(std::string(what) + ": decompresses to more than " + std::to_string(max_output) + " bytes");
    out.append(reinterpret_cast<const char*>(chunk), produced);
  } while (r == LZMA_OK);
  if (r != LZMA_STREAM_END) return malformed(std::string(what) + ": " + lzma_reason(r));
  return out;
}

}  // namespace kdp::kgm
