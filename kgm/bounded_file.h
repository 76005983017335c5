// Reading a whole input file (a core, a kernel file) without trusting it: only regular files, and
// never more than the size the file had when it was opened (a file that grows while we read, or a
// device such as /dev/zero posing as a core, cannot make us read forever).
#pragma once

#include <cstdint>
#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::kgm {

// `what` names the file's role in errors ("core file", "kernel file"). A file larger than
// `max_size` is refused before anything is read.
Expected<Bytes> read_regular_file(const std::string& path, std::string_view what,
                                  uint64_t max_size = UINT64_MAX);

}  // namespace kdp::kgm
