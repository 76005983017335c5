// xz (LZMA2) decompression for ISF files shipped as .json.xz, bounded: the output may not exceed
// `max_output` bytes and the decoder's memory is capped, so a small hostile file cannot expand
// without limit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::kgm {

// `what` names the input in errors ("ISF file kernel.json.xz"). kMalformed for data that is not
// xz or is corrupt, kUsage when the output would exceed `max_output`.
Expected<std::string> xz_decompress(ByteView input, uint64_t max_output, std::string_view what);

}  // namespace kdp::kgm
