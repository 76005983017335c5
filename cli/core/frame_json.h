// One stack frame as JSON, the same object wherever a frame appears: each element of `bt --json`'s
// "frames" and the "frame" of a stop (`continue --json`, `step --json`).
#pragma once

#include "kdp/base/json.h"
#include "kgm/backtrace.h"

namespace kdp::cli {

// {"pc", "frame_pointer", "symbol" (null when unknown), and with the kernel's dSYM "function",
// "args" [{"name", "value"}], "file", "line"}.
void write_frame_json(JsonWriter& j, const kgm::Frame& frame);

}  // namespace kdp::cli
