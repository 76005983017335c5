// The `info` topics of the frame and thread commands (cmd_frame.cpp, cmd_thread.cpp), which
// `info frame` and `info threads` run.
#pragma once

#include "kdp/base/error.h"
#include "cli/invocation.h"

namespace kdp::cli {

Status info_frame(Invocation& inv);
Status info_threads(Invocation& inv);

}  // namespace kdp::cli
